import CommunisModel
import Foundation

/// How a deleted post's or blog post's text leaves the stored events that carried it: each
/// engine finds those events and rewrites their payloads with these, so both engines blank
/// exactly the same fields. Each returns whether it changed the payload.
public enum EventRedaction {
    /// A deleted post: its text, reactions and who deleted it (name left for the reader).
    public static func post(_ id: PostID, by: PersonID) -> (inout [String: Any]) -> Bool {
        { payload in
            guard var post = payload["post"] as? [String: Any], (post["id"] as? String) == id.description else { return false }
            post["body"] = ""
            post["deleted"] = true
            post["reactions"] = [Any]()
            post["deletedBy"] = ["id": by.description, "name": ""]
            payload["post"] = post
            return true
        }
    }

    /// A deleted blog post: its title and text, and the text of the comments on it.
    public static func blogPost(_ id: BlogPostID) -> (inout [String: Any]) -> Bool {
        { payload in
            guard var blog = payload["blogPost"] as? [String: Any], (blog["id"] as? String) == id.description else {
                // Comments on the blog post go with it.
                guard var post = payload["post"] as? [String: Any], (post["threadId"] as? String) == id.description else { return false }
                post["body"] = ""
                post["deleted"] = true
                payload["post"] = post
                return true
            }
            blog["title"] = ""
            blog["body"] = ""
            blog["deleted"] = true
            payload["blogPost"] = blog
            return true
        }
    }
}
