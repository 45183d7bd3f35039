import CommunisMarkdown
import CommunisModel
import CommunisStore
import Foundation

/// Who is told of a reply: the person who started the thread and everyone who wrote in it,
/// except the one replying and those the reply mentions (they get the mention instead), and
/// only those still members of the workspace (others could not open the thread).
enum Replies {
    /// The thread's posts read to find who wrote in it (a very long thread tells those
    /// among its first 1,000 posts; the starter always).
    static let maxPosts = 1_000

    static func recipients(of post: Post, in thread: DiscussionThread, store: any CommunisStore) async throws -> [PersonID] {
        var writers: [PersonID] = [thread.authorID]
        var offset = 0
        while offset < maxPosts {
            let page = try await store.posts(thread: thread.id, page: PageRequest(limit: PageRequest.maxLimit, offset: offset))
            writers += page.items.filter { !$0.isDeleted }.map(\.authorID)
            offset += page.items.count
            if page.items.isEmpty || offset >= page.total { break }
        }
        let mentioned = Set(Markdown.mentions(post.body).compactMap(PersonID.init))
        var seen = Set<PersonID>()
        var recipients: [PersonID] = []
        for id in writers where id != post.authorID && !mentioned.contains(id) && seen.insert(id).inserted {
            if try await store.membership(workspace: thread.workspaceID, person: id) != nil { recipients.append(id) }
        }
        return recipients
    }
}
