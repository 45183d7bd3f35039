import CommunisModel
import Testing

@Suite("Who plays and manages a recording")
struct RecordingPolicyTests {
    @Test("Members read their workspace's recordings, guests included, in every kind of workspace")
    func members() {
        for visibility in Visibility.allCases {
            for shared in [false, true] {
                #expect(RecordingPolicy.canRead(visibility, viewer: .member, membership: .member, shared: shared))
                #expect(RecordingPolicy.canRead(visibility, viewer: .guest, membership: .member, shared: shared))
                #expect(RecordingPolicy.canRead(visibility, viewer: .member, membership: .owner, shared: shared))
            }
        }
    }

    @Test("Outsiders read like other workspace content: employees in open workspaces only")
    func outsiders() {
        #expect(RecordingPolicy.canRead(.open, viewer: .member, membership: nil, shared: false))
        #expect(!RecordingPolicy.canRead(.closed, viewer: .member, membership: nil, shared: false))
        #expect(!RecordingPolicy.canRead(.secret, viewer: .member, membership: nil, shared: false))
        #expect(!RecordingPolicy.canRead(.closed, viewer: .admin, membership: nil, shared: false))
        for visibility in Visibility.allCases {
            #expect(!RecordingPolicy.canRead(visibility, viewer: .guest, membership: nil, shared: false))
        }
    }

    @Test("Shared with the organisation: every employee reads it, no guest, and never a secret workspace's")
    func shared() {
        #expect(RecordingPolicy.canRead(.closed, viewer: .member, membership: nil, shared: true))
        #expect(RecordingPolicy.canRead(.closed, viewer: .admin, membership: nil, shared: true))
        #expect(RecordingPolicy.canRead(.open, viewer: .member, membership: nil, shared: true))
        #expect(!RecordingPolicy.canRead(.closed, viewer: .guest, membership: nil, shared: true))
        #expect(!RecordingPolicy.canRead(.open, viewer: .guest, membership: nil, shared: true))
        #expect(!RecordingPolicy.canRead(.secret, viewer: .member, membership: nil, shared: true))
        #expect(!RecordingPolicy.canRead(.secret, viewer: .admin, membership: nil, shared: true))
        #expect(!RecordingPolicy.canShare(.secret))
        #expect(RecordingPolicy.canShare(.closed) && RecordingPolicy.canShare(.open))
    }

    @Test("A secret workspace's recordings do not exist for outsiders; a closed one's are forbidden, not hidden")
    func secretIsHidden() {
        #expect(!RecordingPolicy.mayKnowOf(.secret, viewer: .member, membership: nil))
        #expect(!RecordingPolicy.mayKnowOf(.secret, viewer: .admin, membership: nil))
        #expect(RecordingPolicy.mayKnowOf(.closed, viewer: .member, membership: nil))
        #expect(!RecordingPolicy.mayKnowOf(.closed, viewer: .guest, membership: nil))
        #expect(RecordingPolicy.mayKnowOf(.secret, viewer: .member, membership: .member))
    }

    @Test("The one who started it, the workspace's owners and administrators manage it; other members do not")
    func managers() {
        #expect(RecordingPolicy.canManage(.closed, viewer: .member, membership: .member, shared: false, startedBySelf: true))
        #expect(RecordingPolicy.canManage(.closed, viewer: .member, membership: .owner, shared: false, startedBySelf: false))
        #expect(RecordingPolicy.canManage(.closed, viewer: .admin, membership: .member, shared: false, startedBySelf: false))
        #expect(RecordingPolicy.canManage(.open, viewer: .admin, membership: nil, shared: false, startedBySelf: false))
        #expect(!RecordingPolicy.canManage(.closed, viewer: .member, membership: .member, shared: false, startedBySelf: false))
        #expect(!RecordingPolicy.canManage(.closed, viewer: .guest, membership: .member, shared: true, startedBySelf: false))
        #expect(!RecordingPolicy.canManage(.open, viewer: .member, membership: nil, shared: true, startedBySelf: false))
    }

    @Test("Nobody manages what they may not read: an administrator outside a secret or closed workspace")
    func manageNeedsRead() {
        #expect(!RecordingPolicy.canManage(.secret, viewer: .admin, membership: nil, shared: true, startedBySelf: false))
        #expect(!RecordingPolicy.canManage(.closed, viewer: .admin, membership: nil, shared: false, startedBySelf: false))
        #expect(RecordingPolicy.canManage(.closed, viewer: .admin, membership: nil, shared: true, startedBySelf: false))
        // Someone who started it and has since left the workspace no longer manages it.
        #expect(!RecordingPolicy.canManage(.closed, viewer: .member, membership: nil, shared: false, startedBySelf: true))
    }
}
