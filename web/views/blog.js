// Blogs: a workspace's blog (live for members, like the discussions) and a person's own
// blog (employees only, over HTTP). Lists with excerpts, one post with its Markdown,
// reactions and comments, and the form to write, save as draft and publish.
// State changes go through the pure reducers in lib/blog-state.js.
//
// The parts live in blog/: workspace.js (a workspace's blog), personal.js (personal blogs),
// form.js (the write form) and common.js (meta line and list entry shared by both kinds).
export { workspaceBlogSection } from './blog/workspace.js';
export { hasPersonalBlog, personalBlogSection, personalBlogPostPage } from './blog/personal.js';
