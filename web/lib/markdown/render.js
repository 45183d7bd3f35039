// HTML and plain-text rendering of parsed blocks and inline tokens.
// The twin of Sources/CommunisMarkdown/Renderer.swift.
import { EXTERNAL, escapeHtml } from './characters.js';
import { parseInline } from './inline.js';

export function renderBlocks(blocks, ctx) {
  return blocks.map((b) => renderBlock(b, ctx)).join('\n');
}

function renderBlock(b, ctx) {
  switch (b.type) {
    case 'paragraph':
      return '<p>' + renderInline(parseInline(b.text), ctx) + '</p>';
    case 'heading': {
      const tag = 'h' + (b.level + 2);
      return '<' + tag + '>' + renderInline(parseInline(b.text), ctx) + '</' + tag + '>';
    }
    case 'rule':
      return '<hr>';
    case 'code':
      return '<pre><code>' + escapeHtml(b.text) + '</code></pre>';
    case 'quote': {
      const inner = renderBlocks(b.children, ctx);
      return '<blockquote>\n' + (inner === '' ? '' : inner + '\n') + '</blockquote>';
    }
    case 'list': {
      const tag = b.ordered ? 'ol' : 'ul';
      const open = b.ordered && b.start !== 1 ? '<ol start="' + b.start + '">' : '<' + tag + '>';
      const items = b.items.map((item) => {
        const tight = item.length > 0 && item[0].type === 'paragraph'
          && item.filter((x) => x.type === 'paragraph').length === 1;
        const parts = item.map((x, k) => (k === 0 && tight ? renderInline(parseInline(x.text), ctx) : renderBlock(x, ctx)));
        return '<li>' + parts.join('\n') + '</li>';
      });
      return open + '\n' + items.join('\n') + '\n</' + tag + '>';
    }
    default:
      return '';
  }
}

export function textBlocks(blocks) {
  return blocks.map(textBlock).filter((t) => t !== '').join('\n');
}

function textBlock(b) {
  const ctx = { html: false, mentions: null };
  switch (b.type) {
    case 'paragraph':
    case 'heading':
      return renderInline(parseInline(b.text), ctx);
    case 'code':
      return b.text;
    case 'quote':
      return textBlocks(b.children);
    case 'list':
      return b.items.map(textBlocks).filter((t) => t !== '').join('\n');
    default:
      return '';
  }
}

// ---------------------------------------------------------------- inline rendering

/** Walks the tokens. Inside images and mentions everything is plain text; inside a link,
 *  bare URLs are text (no nested anchors). The state changes are the same in both modes. */
function renderInline(tokens, ctx) {
  const html = ctx.html;
  const esc = html ? escapeHtml : (s) => s;
  let out = '';
  let plain = 0;
  let anchors = 0;
  const stack = [];
  for (const t of tokens) {
    const live = plain === 0 && anchors === 0;
    switch (t.t) {
      case 'text':
        out += esc(t.s);
        break;
      case 'code':
        out += html && plain === 0 ? '<code>' + esc(t.s) + '</code>' : esc(t.s);
        break;
      case 'br':
        out += plain > 0 ? ' ' : html ? '<br>' : '\n';
        break;
      case 'delim': {
        const tags = html && plain === 0;
        if (tags) for (const x of t.close) out += '</' + x + '>';
        out += t.ch.repeat(t.count);
        if (tags) for (const x of t.open) out += '<' + x + '>';
        break;
      }
      case 'autolink':
        out += html && live ? '<a href="' + esc(t.url) + '"' + EXTERNAL + '>' + esc(t.url) + '</a>' : esc(t.url);
        break;
      case 'image':
        stack.push('plain');
        plain++;
        break;
      case 'mention':
        if (live) {
          if (html) out += '<a class="mention" href="#/people/' + t.id + '" data-person="' + t.id + '">';
          out += '@';
          if (ctx.mentions) ctx.mentions.push(t.id);
          stack.push('mention');
          anchors++;
        } else {
          out += '@';
          stack.push('plain');
        }
        plain++;
        break;
      case 'link':
        out += esc(t.prefix);
        if (live && t.href !== null) {
          if (html) out += '<a href="' + esc(t.href) + '"' + (t.external ? EXTERNAL : '') + '>';
          stack.push('anchor');
          anchors++;
        } else {
          stack.push('none');
        }
        break;
      case 'end': {
        const k = stack.pop();
        if (k === 'anchor' || k === 'mention') {
          if (html) out += '</a>';
          anchors--;
        }
        if (k === 'mention' || k === 'plain') plain--;
        break;
      }
      default:
        break;
    }
  }
  return out;
}
