import CommunisServer
import Foundation
import Testing

@Suite("Configuration: one typed table, file, environment and flags")
struct ConfigurationTests {
    @Test("config/communis.yaml lists every key with exactly the code's default")
    func shippedFileMatchesDefaults() throws {
        let text = try String(contentsOfFile: "config/communis.yaml", encoding: .utf8)
        for key in Configuration.keys {
            let leaf = key.name.split(separator: ".").last!
            #expect(text.contains("\(leaf):"), "config/communis.yaml lacks \(key.name)")
        }
        let loaded = try Configuration.load(file: "config/communis.yaml", environment: [:])
        #expect(loaded == Configuration.defaults)
    }

    @Test("An unknown key stops start-up with its name")
    func unknownKey() throws {
        let file = try temporaryFile("server:\n  prot: 9000\n")
        #expect { try Configuration.load(file: file, environment: [:]) } throws: { error in
            "\(error)".contains("server.prot")
        }
    }

    @Test("Out-of-range and wrongly typed values are refused with the key's name")
    func ranges() throws {
        #expect { try Configuration.load(file: try temporaryFile("server:\n  port: 70000\n"), environment: [:]) } throws: { error in
            "\(error)".contains("server.port")
        }
        #expect { try Configuration.load(file: nil, environment: ["COMMUNIS_AUTH_FREE_ATTEMPTS": "many"]) } throws: { error in
            "\(error)".contains("auth.free_attempts")
        }
    }

    @Test("An unknown COMMUNIS_ environment variable is listed for a warning and does not stop start-up")
    func unknownEnvironmentVariable() throws {
        let environment = ["COMMUNIS_SERVER_PROT": "1", "COMMUNIS_DEPLOY_TAG": "x", "COMMUNIS_SERVER_PORT": "9004", "PATH": "/bin"]
        let configuration = try Configuration.load(file: nil, environment: environment)
        #expect(configuration.port == 9004)
        #expect(Configuration.unknownEnvironmentVariables(environment) == ["COMMUNIS_DEPLOY_TAG", "COMMUNIS_SERVER_PROT"])
    }

    @Test("Precedence: file < environment < flags")
    func precedence() throws {
        let file = try temporaryFile("server:\n  port: 9001\n  allowed_origins: [\"https://intranat.katrineholm.se\"]\n")
        let fromFile = try Configuration.load(file: file, environment: [:])
        #expect(fromFile.port == 9001)
        #expect(fromFile.allowedOrigins == ["https://intranat.katrineholm.se"])
        let fromEnvironment = try Configuration.load(file: file, environment: ["COMMUNIS_SERVER_PORT": "9002", "COMMUNIS_SERVER_ALLOWED_ORIGINS": "https://a.se, https://b.se"])
        #expect(fromEnvironment.port == 9002)
        #expect(fromEnvironment.allowedOrigins == ["https://a.se", "https://b.se"])
        let fromFlags = try Configuration.load(file: file, environment: ["COMMUNIS_SERVER_PORT": "9002"], overrides: ["server.port": "9003", "storage.data_dir": "/tmp/x"])
        #expect(fromFlags.port == 9003)
        #expect(fromFlags.databasePath == "/tmp/x/communis.sqlite")
    }

    func temporaryFile(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("communis-\(UUID()).yaml").path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
