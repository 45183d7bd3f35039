import CommunisModel
import Foundation
import Logging

/// Builds the browser client for production when the server starts: Debian's `esbuild`
/// bundles and minifies `web/app.js` (code split: what `import()` loads lazily — meetings,
/// recordings, the editor, administration — goes into chunks of its own) and `styles.css`
/// into content-hashed files under `assets/`; the language files get hashed names too;
/// `index.html` is rewritten to point at them (with `modulepreload` for the entry's chunks and
/// a `communis-build` meta element naming the language files), `sw.js` gets the list of the
/// application shell to cache, and every text file is compressed (`.br`, `.gz` beside it).
///
/// A build is kept in `<buildDirectory>/web-<fingerprint>` (the fingerprint hashes every
/// source file), so a restart with unchanged sources reuses it and a changed file rebuilds:
/// the bundle is never stale. The newest three builds are kept, and their hashed files are
/// still served (see `StaticAssets.load(fallbacks:)`). Without esbuild, or when the build
/// fails, the server says so and serves `web/` as it is — slower, but it works.
public enum WebBundle {
    /// Bumped when what a build writes changes, so that kept builds are not reused.
    static let recipe = "communis-web-bundle-1"
    static let kept = 3

    public struct Prepared: Sendable {
        /// The folder to serve.
        public var directory: String
        /// Older builds whose hashed files are still served.
        public var fallbacks: [String]
        public var bundled: Bool

        public init(directory: String, fallbacks: [String], bundled: Bool) {
            self.directory = directory
            self.fallbacks = fallbacks
            self.bundled = bundled
        }
    }

    /// Returns what to serve: a bundle (built now if needed) or, failing that, `webRoot`.
    public static func prepare(webRoot: String, buildDirectory: String, enabled: Bool, logger: Logger) -> Prepared {
        let source = Prepared(directory: webRoot, fallbacks: [], bundled: false)
        guard enabled else { return source }
        guard let esbuild = findExecutable("esbuild") else {
            logger.warning("esbuild not found: serving the unbundled web client (install Debian's esbuild, as .ci/install does)")
            return source
        }
        do {
            let fingerprint = try fingerprint(of: webRoot)
            let builds = URL(fileURLWithPath: buildDirectory)
            try FileManager.default.createDirectory(at: builds, withIntermediateDirectories: true)
            let target = builds.appendingPathComponent("web-\(fingerprint)")
            if !FileManager.default.fileExists(atPath: target.path) {
                let started = Date()
                let scratch = builds.appendingPathComponent(".web-\(ProcessInfo.processInfo.processIdentifier)-\(UInt32.random(in: 0...UInt32.max))")
                defer { try? FileManager.default.removeItem(at: scratch) }
                try build(webRoot: webRoot, into: scratch, version: fingerprint, esbuild: esbuild)
                // Another server starting on the same folder may have finished first: theirs is the same.
                do { try FileManager.default.moveItem(at: scratch, to: target) } catch where FileManager.default.fileExists(atPath: target.path) {}
                logger.info("web client bundled", metadata: ["web.build": "\(target.path)", "duration.ms": "\(Int(Date().timeIntervalSince(started) * 1000))"])
            } else {
                // Touched, so that pruning by age keeps the builds in use.
                try? FileManager.default.setAttributes([.modificationDate: Date()], ofItemAtPath: target.path)
            }
            let older = prune(builds, keeping: target)
            return Prepared(directory: target.path, fallbacks: older.map(\.path), bundled: true)
        } catch {
            logger.error("bundling the web client failed: serving it unbundled", metadata: ["error": "\(error)"])
            return source
        }
    }

    struct BuildError: Error, CustomStringConvertible {
        var description: String
    }

    /// One build into `out` (which must not exist).
    static func build(webRoot: String, into out: URL, version: String, esbuild: String) throws {
        let fm = FileManager.default
        let root = URL(fileURLWithPath: webRoot)
        let assets = out.appendingPathComponent("assets")
        try fm.createDirectory(at: assets, withIntermediateDirectories: true)
        let meta = out.appendingPathComponent(".meta.json")
        // ES2022 is what the client is written in; Chromium, Firefox and Safari of the last
        // years run it. Worklets are built apart, unsplit and unhashed: meeting code finds
        // them next to itself (`new URL('./capture-worklet.js', import.meta.url)`).
        try run(esbuild, in: root, log: out.appendingPathComponent(".esbuild.log"), [
            "app.js", "styles.css", "--bundle", "--splitting", "--format=esm", "--minify", "--target=es2022",
            "--charset=utf8", "--legal-comments=none", "--log-level=warning",
            "--outdir=\(assets.path)", "--entry-names=[name]-[hash]", "--chunk-names=[name]-[hash]",
            "--asset-names=[name]-[hash]", "--metafile=\(meta.path)",
        ])
        let worklets = ["meeting/capture-worklet.js", "meeting/playback-worklet.js"].filter { fm.fileExists(atPath: root.appendingPathComponent($0).path) }
        if !worklets.isEmpty {
            try run(esbuild, in: root, log: out.appendingPathComponent(".esbuild-worklets.log"), worklets + [
                "--bundle", "--format=esm", "--minify", "--target=es2022", "--charset=utf8", "--log-level=warning",
                "--outdir=\(assets.path)", "--entry-names=[name]",
            ])
        }
        let (entry, css, preload) = try entryFiles(metafile: meta)

        // The language files, each under a name that changes with its content.
        var languages: [(String, String)] = []
        let i18n = root.appendingPathComponent("i18n")
        for file in try fm.contentsOfDirectory(atPath: i18n.path).sorted() where file.hasSuffix(".json") {
            let bytes = [UInt8](try Data(contentsOf: i18n.appendingPathComponent(file)))
            let lang = String(file.dropLast(5))
            let name = "\(lang)-\(ContentHash.short(bytes)).json"
            try Data(bytes).write(to: assets.appendingPathComponent(name))
            languages.append((lang, "assets/\(name)"))
        }

        // index.html pointing at the bundle.
        var html = try String(contentsOf: root.appendingPathComponent("index.html"), encoding: .utf8)
        for (from, to) in [("href=\"styles.css\"", "href=\"assets/\(css)\""), ("src=\"app.js\"", "src=\"assets/\(entry)\"")] {
            guard html.contains(from) else { throw BuildError(description: "web/index.html has no \(from)") }
            html = html.replacingOccurrences(of: from, with: to)
        }
        let languageAttributes = languages.map { " data-i18n-\($0.0)=\"\($0.1)\"" }.joined()
        let head = (["  <meta name=\"communis-build\" content=\"\(version)\"\(languageAttributes)>"]
            + preload.map { "  <link rel=\"modulepreload\" href=\"assets/\($0)\">" }).joined(separator: "\n")
        guard let close = html.range(of: "</head>") else { throw BuildError(description: "web/index.html has no </head>") }
        html.replaceSubrange(close, with: head + "\n</head>")
        try html.write(to: out.appendingPathComponent("index.html"), atomically: false, encoding: .utf8)

        // Files served as they are: the manifest and the icons.
        for item in ["manifest.webmanifest", "icons"] where fm.fileExists(atPath: root.appendingPathComponent(item).path) {
            try fm.copyItem(at: root.appendingPathComponent(item), to: out.appendingPathComponent(item))
        }
        let icons = (try? fm.contentsOfDirectory(atPath: out.appendingPathComponent("icons").path).sorted()) ?? []

        // The service worker with its version and the application shell to cache.
        let shell = ["./", "assets/\(entry)", "assets/\(css)"] + preload.map { "assets/\($0)" }
            + (fm.fileExists(atPath: out.appendingPathComponent("manifest.webmanifest").path) ? ["manifest.webmanifest"] : [])
            + icons.filter { $0.hasSuffix(".svg") || $0.contains("192") }.map { "icons/\($0)" }
        let buildJSON = String(decoding: try JSONSerialization.data(withJSONObject: ["version": version, "shell": shell], options: [.sortedKeys, .withoutEscapingSlashes]), as: UTF8.self)
        var worker = try String(contentsOf: root.appendingPathComponent("sw.js"), encoding: .utf8)
        let marker = "const BUILD = null;"
        guard worker.contains(marker) else { throw BuildError(description: "web/sw.js has no line \(marker)") }
        worker = worker.replacingOccurrences(of: marker, with: "const BUILD = \(buildJSON);")
        try worker.write(to: out.appendingPathComponent("sw.js"), atomically: false, encoding: .utf8)

        // Compressed forms beside every text file, so that a restart need not compress again.
        guard let walker = fm.enumerator(at: out, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else { return }
        for case let url as URL in walker where StaticAssets.isCompressible(StaticAssets.contentType(for: url.lastPathComponent)) {
            let bytes = [UInt8](try Data(contentsOf: url))
            if let gz = Compression.gzip(bytes) { try Data(gz).write(to: url.appendingPathExtension("gz")) }
            if let br = Compression.brotli(bytes) { try Data(br).write(to: url.appendingPathExtension("br")) }
        }
    }

    /// The hashed names of the JavaScript entry, the style sheet and the chunks the entry
    /// imports statically (preloaded), read from esbuild's metafile.
    static func entryFiles(metafile: URL) throws -> (entry: String, css: String, preload: [String]) {
        struct Meta: Decodable {
            struct Output: Decodable {
                struct Import: Decodable { var path: String; var kind: String }
                var entryPoint: String?
                var imports: [Import]?
            }
            var outputs: [String: Output]
        }
        let meta = try JSONDecoder().decode(Meta.self, from: Data(contentsOf: metafile))
        let base = { (path: String) in String(path.split(separator: "/").last ?? "") }
        guard let (jsPath, js) = meta.outputs.first(where: { $0.value.entryPoint == "app.js" && $0.key.hasSuffix(".js") }),
              let cssPath = meta.outputs.first(where: { $0.value.entryPoint == "styles.css" && $0.key.hasSuffix(".css") })?.key
        else { throw BuildError(description: "esbuild's metafile names no app.js or styles.css output") }
        let preload = (js.imports ?? []).filter { $0.kind == "import-statement" }.map { base($0.path) }
        return (base(jsPath), base(cssPath), preload)
    }

    /// Hashes the recipe and every source file's path and content (not `test/`, not hidden
    /// files): any edit gives another fingerprint.
    static func fingerprint(of webRoot: String) throws -> String {
        let root = URL(fileURLWithPath: webRoot).standardizedFileURL
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles]) else {
            throw BuildError(description: "\(webRoot) cannot be read")
        }
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        var entries: [(String, URL)] = []
        for case let url as URL in walker {
            let name = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            if name == "test" || name == "node_modules" { walker.skipDescendants(); continue }
            if (try url.resourceValues(forKeys: [.isRegularFileKey])).isRegularFile == true { entries.append((name, url)) }
        }
        var hash = ContentHash.value(Array(recipe.utf8))
        for (name, url) in entries.sorted(by: { $0.0 < $1.0 }) {
            hash = ContentHash.value(Array(name.utf8) + [0], seed: hash)
            hash = ContentHash.value([UInt8](try Data(contentsOf: url)) + [0], seed: hash)
        }
        return String(hash, radix: 16)
    }

    /// Removes all but the newest `kept` builds; returns the others kept (newest first).
    static func prune(_ builds: URL, keeping current: URL) -> [URL] {
        let fm = FileManager.default
        let all = ((try? fm.contentsOfDirectory(at: builds, includingPropertiesForKeys: [.contentModificationDateKey])) ?? [])
            .filter { $0.lastPathComponent.hasPrefix("web-") && $0.lastPathComponent != current.lastPathComponent }
            .map { ($0, (try? $0.resourceValues(forKeys: [.contentModificationDateKey]).contentModificationDate) ?? .distantPast) }
            .sorted { $0.1 > $1.1 }
            .map(\.0)
        for old in all.dropFirst(kept - 1) { try? fm.removeItem(at: old) }
        return Array(all.prefix(kept - 1))
    }

    static func findExecutable(_ name: String) -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        return path.split(separator: ":").map { "\($0)/\(name)" }.first { FileManager.default.isExecutableFile(atPath: $0) }
    }

    private static func run(_ executable: String, in directory: URL, log: URL, _ arguments: [String]) throws {
        FileManager.default.createFile(atPath: log.path, contents: nil)
        let output = try FileHandle(forWritingTo: log)
        defer { try? output.close() }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = directory
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try ProcessLaunch.run(process)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let text = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
            throw BuildError(description: "esbuild exited with \(process.terminationStatus): \(text.prefix(2000))")
        }
    }
}
