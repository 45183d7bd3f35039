import CommunisTesting
import CommunisServices
import Foundation
import Testing

@testable import CommunisLDAP

/// Filter text and value conversions, without a server.
@Suite struct LDAPFilterTests {
    @Test func escapesTheFiveCharactersOfRFC4515() {
        #expect(LDAPFilter.escape("*") == "\\2a")
        #expect(LDAPFilter.escape("(") == "\\28")
        #expect(LDAPFilter.escape(")") == "\\29")
        #expect(LDAPFilter.escape("\\") == "\\5c")
        #expect(LDAPFilter.escape("a\u{0}b") == "a\\00b")
    }

    @Test func leavesOrdinaryTextAndSwedishLettersAlone() {
        #expect(LDAPFilter.escape("annlin") == "annlin")
        #expect(LDAPFilter.escape("åsa.öberg@katrineholm.se") == "åsa.öberg@katrineholm.se")
        #expect(LDAPFilter.escape("Vård- och omsorgsförvaltningen") == "Vård- och omsorgsförvaltningen")
    }

    @Test func injectionAttemptsBecomeLiteralValues() {
        #expect(LDAPFilter.escape("*)(uid=*))(|(uid=*") == "\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a")
        let filter = LDAPFilter.userFilter(LDAPDirectorySettings.Kind.openLDAP.defaultUserFilter, login: "*)(uid=*))(|(uid=*")
        #expect(filter == "(&(objectClass=inetOrgPerson)(|(uid=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)(mail=\\2a\\29\\28uid=\\2a\\29\\29\\28|\\28uid=\\2a)))")
        // Balanced: the escaped value cannot close or open a filter component.
        #expect(filter.filter { $0 == "(" }.count == filter.filter { $0 == ")" }.count)
    }

    @Test func everyoneIsAPresenceMatch() {
        #expect(LDAPFilter.everyone("(&(objectClass=inetOrgPerson)(|(uid={login})(mail={login})))")
            == "(&(objectClass=inetOrgPerson)(|(uid=*)(mail=*)))")
    }

    @Test func escapesBytesForBinaryAttributes() {
        #expect(LDAPFilter.escape(bytes: [0x00, 0x2a, 0xff, 0x0e]) == "\\00\\2a\\ff\\0e")
    }

    @Test func activeDirectoryGUIDBytesPrintAsADPrintsThem() throws {
        // The first three fields are little-endian, the last two as stored.
        let bytes: [UInt8] = [0x33, 0x22, 0x11, 0x00, 0x55, 0x44, 0x77, 0x66, 0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff]
        #expect(ActiveDirectoryGUID.string(bytes) == "00112233-4455-6677-8899-aabbccddeeff")
        #expect(ActiveDirectoryGUID.bytes("00112233-4455-6677-8899-AABBCCDDEEFF") == bytes)
        #expect(ActiveDirectoryGUID.string(Array(bytes.prefix(15))) == nil)
        #expect(ActiveDirectoryGUID.bytes("not-a-guid") == nil)
        // A real-looking GUID survives the round trip.
        let guid = "5f0c7a0e-93b1-4d2c-8f6e-0123456789ab"
        #expect(try ActiveDirectoryGUID.string(#require(ActiveDirectoryGUID.bytes(guid))) == guid)
    }

    @Test func activeDirectoryNestedGroupsUseTheInChainMatchingRule() {
        let groups = LDAPFilter.activeDirectoryGroups(
            groupFilter: "(objectClass=group)", userDN: "CN=Anna Lindqvist (IT),OU=Personal,DC=katrineholm,DC=se")
        #expect(groups == "(&(objectClass=group)(member:1.2.840.113556.1.4.1941:=CN=Anna Lindqvist \\28IT\\29,OU=Personal,DC=katrineholm,DC=se))")
        let members = LDAPFilter.activeDirectoryMembers(
            userFilter: LDAPDirectorySettings.Kind.activeDirectory.defaultUserFilter,
            groupDN: "CN=Communis-administratörer,OU=Grupper,DC=katrineholm,DC=se")
        #expect(members == "(&(&(objectCategory=person)(objectClass=user)(|(sAMAccountName=*)(userPrincipalName=*)(mail=*)))"
            + "(memberOf:1.2.840.113556.1.4.1941:=CN=Communis-administratörer,OU=Grupper,DC=katrineholm,DC=se))")
    }

    @Test func openLDAPWalkUpFiltersNameEachMember() {
        #expect(LDAPFilter.groupsWithMember(groupFilter: "(objectClass=groupOfNames)", dns: ["uid=annlin,ou=people,dc=x"])
            == "(&(objectClass=groupOfNames)(member=uid=annlin,ou=people,dc=x))")
        #expect(LDAPFilter.groupsWithMember(groupFilter: "(objectClass=groupOfNames)", dns: ["cn=a*,dc=x", "cn=b,dc=x"])
            == "(&(objectClass=groupOfNames)(|(member=cn=a\\2a,dc=x)(member=cn=b,dc=x)))")
    }

    @Test func activeDirectoryDisabledBindsAreToldFromWrongPasswords() {
        func failure(_ diagnostic: String) -> LDAPFailure {
            LDAPFailure(code: 49, operation: "binding", diagnostic: diagnostic)
        }
        #expect(failure("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 533, v2580").isActiveDirectoryDisabledAccount)
        #expect(!failure("80090308: LdapErr: DSID-0C09044E, comment: AcceptSecurityContext error, data 52e, v2580").isActiveDirectoryDisabledAccount)
        #expect(!failure("").isActiveDirectoryDisabledAccount)
    }

    @Test func theKindsDefaultsAreTheIssues() {
        let openLDAP = LDAPDirectorySettings(url: "ldap://x", userBase: "dc=x")
        #expect(openLDAP.effectiveAttributes == [
            "id": "entryUUID", "login": "uid", "name": "cn", "email": "mail", "title": "title", "department": "ou",
            "workplace": "physicalDeliveryOfficeName", "phone": "telephoneNumber",
        ])
        #expect(openLDAP.effectiveGroupBase == "dc=x")
        var ad = LDAPDirectorySettings(url: "ldaps://dc1 ldaps://dc2", kind: .activeDirectory, userBase: "dc=x", attributes: ["workplace": "l"])
        #expect(ad.effectiveAttributes["id"] == "objectGUID")
        #expect(ad.effectiveAttributes["name"] == "displayName")
        #expect(ad.effectiveAttributes["workplace"] == "l")
        #expect(ad.effectiveGroupFilter == "(objectClass=group)")
        ad.bindPassword = "hemligt"
        #expect(!ad.description.contains("hemligt"))
    }
}

/// `LDAPDirectory.init` refuses settings an administrator must fix, naming the problem.
@Suite struct LDAPSettingsTests {
    private func problem(_ settings: LDAPDirectorySettings) -> String? {
        do {
            _ = try LDAPDirectory(settings: settings, logger: LogCapture().logger)
            return nil
        } catch let DirectoryError.misconfigured(message) {
            return message
        } catch {
            return "unexpected \(error)"
        }
    }

    @Test func acceptsGoodSettings() {
        #expect(problem(LDAPDirectorySettings(url: "ldaps://dc1.katrineholm.se ldaps://dc2.katrineholm.se", kind: .activeDirectory,
                                              bindDN: "CN=svc,DC=x", bindPassword: "p", userBase: "DC=x")) == nil)
    }

    @Test func namesTheProblem() {
        let base = LDAPDirectorySettings(url: "ldap://127.0.0.1:389", userBase: "dc=x")
        var settings = base
        settings.url = "http://dc1:389"
        #expect(problem(settings)?.contains("ldap:// or ldaps://") == true)
        settings = base
        settings.url = "  "
        #expect(problem(settings)?.contains("no directory URL") == true)
        settings = base
        settings.userFilter = "(uid=annlin)"
        #expect(problem(settings)?.contains("{login}") == true)
        settings = base
        settings.attributes = ["mobile": "mobile", "name": "displayName"]
        #expect(problem(settings)?.contains("unknown attribute role mobile") == true)
        settings = base
        settings.userBase = ""
        #expect(problem(settings)?.contains("user base") == true)
        settings = base
        settings.bindDN = "cn=svc,dc=x"
        #expect(problem(settings)?.contains("no password") == true)
        settings = base
        settings.url = "ldaps://dc1:636"
        settings.startTLS = true
        #expect(problem(settings)?.contains("StartTLS") == true)
        settings = base
        settings.caFile = "/nonexistent/ca.pem"
        #expect(problem(settings)?.contains("/nonexistent/ca.pem") == true)
        settings = base
        settings.pageSize = 0
        #expect(problem(settings)?.contains("page size") == true)
    }
}
