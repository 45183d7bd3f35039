import CommunisModel
import Testing

@Suite("Who reads, edits and manages a how-to")
struct HowToPolicyTests {
    @Test("A workspace's how-tos are read by its members only, guests included; never by outsiders")
    func workspaceReaders() {
        for visibility in Visibility.allCases {
            #expect(HowToPolicy.canRead(.workspace(visibility), viewer: .member, membership: .member))
            #expect(HowToPolicy.canRead(.workspace(visibility), viewer: .guest, membership: .member))
            #expect(!HowToPolicy.canRead(.workspace(visibility), viewer: .member, membership: nil))
            #expect(!HowToPolicy.canRead(.workspace(visibility), viewer: .admin, membership: nil))
            #expect(!HowToPolicy.canRead(.workspace(visibility), viewer: .guest, membership: nil))
        }
    }

    @Test("Organisation-wide how-tos are read by every employee and by no guest")
    func organisationReaders() {
        #expect(HowToPolicy.canRead(.organisation, viewer: .member, membership: nil))
        #expect(HowToPolicy.canRead(.organisation, viewer: .admin, membership: nil))
        #expect(!HowToPolicy.canRead(.organisation, viewer: .guest, membership: nil))
        #expect(!HowToPolicy.mayKnowOf(.organisation, viewer: .guest, membership: nil))
    }

    @Test("A secret workspace's how-tos do not exist for outsiders; an open one's are forbidden, not hidden")
    func secretIsHidden() {
        #expect(!HowToPolicy.mayKnowOf(.workspace(.secret), viewer: .member, membership: nil))
        #expect(!HowToPolicy.mayKnowOf(.workspace(.secret), viewer: .admin, membership: nil))
        #expect(HowToPolicy.mayKnowOf(.workspace(.open), viewer: .member, membership: nil))
        #expect(!HowToPolicy.mayKnowOf(.workspace(.open), viewer: .guest, membership: nil))
    }

    @Test("Members who are not guests edit a workspace's how-tos")
    func workspaceEditors() {
        #expect(HowToPolicy.canEdit(.workspace(.open), viewer: .member, membership: .member, isOwner: false))
        #expect(HowToPolicy.canEdit(.workspace(.closed), viewer: .member, membership: .owner, isOwner: false))
        #expect(!HowToPolicy.canEdit(.workspace(.closed), viewer: .guest, membership: .member, isOwner: false))
        #expect(!HowToPolicy.canEdit(.workspace(.open), viewer: .admin, membership: nil, isOwner: false))
        #expect(HowToPolicy.canCreate(.workspace(.open), viewer: .member, membership: .member))
        #expect(!HowToPolicy.canCreate(.workspace(.open), viewer: .guest, membership: .member))
    }

    @Test("Only the owner and administrators edit an organisation-wide how-to")
    func organisationEditors() {
        #expect(HowToPolicy.canEdit(.organisation, viewer: .member, membership: nil, isOwner: true))
        #expect(HowToPolicy.canEdit(.organisation, viewer: .admin, membership: nil, isOwner: false))
        #expect(!HowToPolicy.canEdit(.organisation, viewer: .member, membership: nil, isOwner: false))
        #expect(HowToPolicy.canCreate(.organisation, viewer: .member, membership: nil))
        #expect(!HowToPolicy.canCreate(.organisation, viewer: .guest, membership: nil))
    }

    @Test("The owner, the workspace's owners and administrators archive and delete; other members do not")
    func managers() {
        #expect(HowToPolicy.canManage(.workspace(.open), viewer: .member, membership: .member, isOwner: true))
        #expect(HowToPolicy.canManage(.workspace(.open), viewer: .member, membership: .owner, isOwner: false))
        #expect(HowToPolicy.canManage(.workspace(.open), viewer: .admin, membership: .member, isOwner: false))
        #expect(!HowToPolicy.canManage(.workspace(.open), viewer: .member, membership: .member, isOwner: false))
        #expect(HowToPolicy.canManage(.organisation, viewer: .admin, membership: nil, isOwner: false))
        #expect(!HowToPolicy.canManage(.organisation, viewer: .member, membership: nil, isOwner: false))
    }

    @Test("Audience is everyone when empty, else a named role or department (any case)")
    func audience() {
        #expect(HowToAudience().includes(role: .guest, department: ""))
        let vard = HowToAudience(departments: ["Vård- och omsorgsförvaltningen"], roles: ["admin"])
        #expect(vard.includes(role: .member, department: "vård- och omsorgsförvaltningen"))
        #expect(vard.includes(role: .admin, department: "Bildningsförvaltningen"))
        #expect(!vard.includes(role: .member, department: "Bildningsförvaltningen"))
    }

    @Test("A current article is due for review from its review-by day on; an archived one never")
    func reviewDue() {
        var howTo = HowTo(workspaceID: nil, ownerID: PersonID(), content: HowToContent(title: "T", body: "B", reviewBy: "2026-03-01"), createdAt: .now)
        #expect(!howTo.isReviewDue(today: "2026-02-28"))
        #expect(howTo.isReviewDue(today: "2026-03-01"))
        howTo.status = .archived
        #expect(!howTo.isReviewDue(today: "2026-03-02"))
    }
}
