import CommunisModel
import Testing

@Suite("Who sees and does what with a workspace")
struct WorkspacePolicyTests {
    @Test("Secret workspaces exist only for their members")
    func secretIsInvisible() {
        #expect(!WorkspacePolicy.canSee(.secret, viewer: .member, membership: nil))
        #expect(!WorkspacePolicy.canSee(.secret, viewer: .admin, membership: nil))
        #expect(WorkspacePolicy.canSee(.secret, viewer: .member, membership: .member))
    }

    @Test("Employees see open and closed workspaces; guests only their own")
    func visibilityByRole() {
        for visibility in [Visibility.open, .closed] {
            #expect(WorkspacePolicy.canSee(visibility, viewer: .member, membership: nil))
            #expect(!WorkspacePolicy.canSee(visibility, viewer: .guest, membership: nil))
            #expect(WorkspacePolicy.canSee(visibility, viewer: .guest, membership: .member))
        }
    }

    @Test("Only members read a closed workspace; any employee reads an open one")
    func reading() {
        #expect(WorkspacePolicy.canRead(.open, viewer: .member, membership: nil))
        #expect(!WorkspacePolicy.canRead(.open, viewer: .guest, membership: nil))
        #expect(!WorkspacePolicy.canRead(.closed, viewer: .member, membership: nil))
        #expect(WorkspacePolicy.canRead(.closed, viewer: .guest, membership: .member))
    }

    @Test("Joining: open at once, closed by request, secret not at all, guests never on their own")
    func joining() {
        #expect(WorkspacePolicy.join(.open, viewer: .member, membership: nil) == .joinNow)
        #expect(WorkspacePolicy.join(.closed, viewer: .member, membership: nil) == .request)
        #expect(WorkspacePolicy.join(.secret, viewer: .member, membership: nil) == .refused(.notFound("Workspace")))
        guard case .refused(.forbidden) = WorkspacePolicy.join(.open, viewer: .guest, membership: nil) else {
            Issue.record("a guest could join an open workspace")
            return
        }
        guard case .refused(.conflict) = WorkspacePolicy.join(.open, viewer: .member, membership: .member) else {
            Issue.record("a member could join twice")
            return
        }
    }

    @Test("Owners manage; administrators may delete but not manage members")
    func managing() {
        #expect(WorkspacePolicy.canManage(viewer: .member, membership: .owner))
        #expect(!WorkspacePolicy.canManage(viewer: .admin, membership: nil))
        #expect(!WorkspacePolicy.canManage(viewer: .member, membership: .member))
        #expect(WorkspacePolicy.canDelete(viewer: .admin, membership: nil))
        #expect(!WorkspacePolicy.canDelete(viewer: .member, membership: .member))
    }

    @Test("Guests cannot own a workspace or create one")
    func guestsNeverOwn() {
        #expect(!WorkspacePolicy.mayHold(.owner, role: .guest))
        #expect(WorkspacePolicy.mayHold(.member, role: .guest))
        #expect(WorkspacePolicy.mayHold(.owner, role: .member))
        #expect(!WorkspacePolicy.canCreate(viewer: .guest))
    }

    @Test("The last owner cannot go")
    func lastOwner() {
        #expect(!WorkspacePolicy.leavesAnOwner(currentOwners: 1, removingOwner: true))
        #expect(WorkspacePolicy.leavesAnOwner(currentOwners: 2, removingOwner: true))
        #expect(WorkspacePolicy.leavesAnOwner(currentOwners: 1, removingOwner: false))
    }

    @Test("The directory: guests get none; employees see employees and guests they work with")
    func directory() {
        #expect(!DirectoryPolicy.canSearch(viewer: .guest))
        #expect(DirectoryPolicy.canView(target: .member, viewer: .member, isSelf: false, sharesWorkspace: false))
        #expect(!DirectoryPolicy.canView(target: .guest, viewer: .member, isSelf: false, sharesWorkspace: false))
        #expect(DirectoryPolicy.canView(target: .guest, viewer: .member, isSelf: false, sharesWorkspace: true))
        #expect(!DirectoryPolicy.canView(target: .member, viewer: .guest, isSelf: false, sharesWorkspace: false))
        #expect(DirectoryPolicy.canView(target: .member, viewer: .guest, isSelf: false, sharesWorkspace: true))
        #expect(DirectoryPolicy.canView(target: .guest, viewer: .guest, isSelf: true, sharesWorkspace: false))
    }
}
