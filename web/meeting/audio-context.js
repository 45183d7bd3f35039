// The page's one AudioContext for meetings (48 kHz, made on the click that joins, so it may
// start) and worklet module loading, cached per context: creating a worklet node before
// addModule() has resolved throws "node name … is not defined", and adding a module twice
// is wasted work.

const loaded = new WeakMap(); // AudioContext → Map(url → Promise)

export function createAudioContext() {
  const Ctx = globalThis.AudioContext ?? globalThis.webkitAudioContext;
  return new Ctx({ sampleRate: 48000, latencyHint: 'interactive' });
}

export function loadWorklet(ctx, url) {
  let modules = loaded.get(ctx);
  if (!modules) { modules = new Map(); loaded.set(ctx, modules); }
  const key = String(url);
  if (!modules.has(key)) {
    const p = ctx.audioWorklet.addModule(key);
    p.catch(() => modules.delete(key)); // a failed load may be tried again
    modules.set(key, p);
  }
  return modules.get(key);
}
