import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// One message the test SMTP server accepted, as `Tests/Fixtures/smtp/smtp_server.py` wrote
/// it: headers decoded by Python's `email` package, the Message-ID without angle brackets,
/// the text and HTML parts decoded with LF line ends.
public struct ReceivedMail: Decodable, Sendable {
    /// The envelope sender (MAIL FROM) and recipients (RCPT TO).
    public var mailFrom: String
    public var rcptTos: [String]
    /// The From and To headers decoded, e.g. "Åsa Öberg <asa@example.se>".
    public var from: String?
    public var to: String?
    /// The To header's display name alone, decoded.
    public var toName: String?
    public var subject: String?
    public var messageId: String?
    public var text: String?
    public var html: String?
    /// The message exactly as it arrived.
    public var raw: String
    /// What Python's parser found wrong with the message; empty for a well-formed one.
    public var defects: [String]
}

/// One step of an SMTP conversation the server saw: `tls` says whether it came encrypted.
public struct SMTPServerEvent: Decodable, Sendable, Equatable {
    /// "EHLO", "STARTTLS", "AUTH", "MAIL", "RCPT" or "DATA".
    public var event: String
    public var tls: Bool
    /// False when the server refused the step (a wrong password, a rejected recipient, a 451).
    public var ok: Bool
}

/// A real SMTP server for tests: `smtp_server.py` (aiosmtpd) in a temporary folder on a free
/// port, with a throw-away certificate made by `openssl`. Needs `python3` with aiosmtpd and
/// `openssl` (set `COMMUNIS_PYTHON` to use another interpreter); without them `start` throws
/// with a message saying so. The server also stops by itself when this process dies.
public final class SMTPServer: Sendable {
    public let port: Int
    /// The certificate to trust (PEM), empty without TLS.
    public let caFile: String
    /// The temporary folder (messages in `mail/`, the server's output in `server.err`).
    public let directory: URL
    public let pid: Int32
    private let mailDirectory: URL
    private let process: Process
    /// Held open for the server's life: its end of file tells the server that we are gone.
    private let stdinPipe: Pipe

    /// A description of what went wrong starting or reading the server.
    public struct Failure: Error, CustomStringConvertible {
        public var description: String
    }

    /// Starts a server. `tls`: STARTTLS offered and required (or, with `implicitTLS`, TLS from
    /// the first byte); `auth`: the one user and password it accepts, required before MAIL;
    /// `failFirst`: so many messages answered "451 4.3.0 Try again later";
    /// `rejectRecipient`: an address answered "550 5.1.1".
    public static func start(
        tls: Bool = true,
        implicitTLS: Bool = false,
        auth: (String, String)? = ("communis", "secret"),
        failFirst: Int = 0,
        rejectRecipient: String? = nil
    ) async throws -> SMTPServer {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("communis-smtp-\(UUID().uuidString)")
        let mail = directory.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mail, withIntermediateDirectories: true)
        var arguments = [script, "--dir", mail.path, "--stop-on-stdin-eof"]
        if tls {
            arguments += ["--generate-cert", directory.appendingPathComponent("cert").path]
            arguments += [implicitTLS ? "--implicit-tls" : "--require-starttls"]
        }
        if let (user, password) = auth { arguments += ["--auth", "\(user):\(password)"] }
        if failFirst > 0 { arguments += ["--fail-first", String(failFirst)] }
        if let rejectRecipient { arguments += ["--reject-recipient", rejectRecipient] }

        let process = Process()
        if let python = ProcessInfo.processInfo.environment["COMMUNIS_PYTHON"] {
            process.executableURL = URL(fileURLWithPath: python)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3"] + arguments
        }
        let out = directory.appendingPathComponent("server.out")
        let err = directory.appendingPathComponent("server.err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        let stdinPipe = Pipe()
        process.standardInput = stdinPipe
        do {
            try FixtureProcess.spawn(process)
        } catch {
            throw Failure(description: "cannot start python3 for the test SMTP server: \(error)")
        }

        struct Ready: Decodable { var port: Int; var pid: Int32; var cert: String? }
        // 60 s: with every suite running at once on two cores, python3 importing aiosmtpd and
        // openssl making a key took more than 20 s in CI.
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: out, encoding: .utf8), let line = text.split(separator: "\n").first,
               text.contains("\n"), let ready = try? JSONDecoder().decode(Ready.self, from: Data(line.utf8)) {
                return SMTPServer(port: ready.port, caFile: ready.cert ?? "", directory: directory, pid: ready.pid,
                                  mailDirectory: mail, process: process, stdinPipe: stdinPipe)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(20))
        }
        let stillRunning = process.isRunning
        if stillRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOf: err, encoding: .utf8)) ?? ""
        try? FileManager.default.removeItem(at: directory)
        if stillRunning {
            throw Failure(description: """
                the test SMTP server (\(script)) was still starting after 60 s and was stopped \
                (the machine is overloaded?). Its output: \(output.suffix(2000))
                """)
        }
        throw Failure(description: """
            the test SMTP server (\(script)) did not start; it needs python3 with aiosmtpd \
            (python3 -m pip install aiosmtpd) and the openssl command. Its output: \(output.suffix(2000))
            """)
    }

    private init(port: Int, caFile: String, directory: URL, pid: Int32, mailDirectory: URL, process: Process, stdinPipe: Pipe) {
        self.port = port
        self.caFile = caFile
        self.directory = directory
        self.pid = pid
        self.mailDirectory = mailDirectory
        self.process = process
        self.stdinPipe = stdinPipe
    }

    deinit { stop() }

    /// The messages accepted so far, oldest first.
    public func messages() throws -> [ReceivedMail] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: mailDirectory.path)) ?? []
        return try names.filter { $0.count == 9 && $0.hasSuffix(".json") && $0.prefix(4).allSatisfy(\.isNumber) }
            .sorted()
            .map { name in
                let data = try Data(contentsOf: mailDirectory.appendingPathComponent(name))
                do {
                    return try JSONDecoder().decode(ReceivedMail.self, from: data)
                } catch {
                    throw Failure(description: "cannot read \(name) of the test SMTP server: \(error)")
                }
            }
    }

    /// Waits until at least `count` messages have arrived; throws after `timeout`.
    public func waitForMessages(count: Int, timeout: Duration = .seconds(30)) async throws -> [ReceivedMail] {
        let deadline = ContinuousClock.now + timeout
        while true {
            let received = try messages()
            if received.count >= count { return received }
            if ContinuousClock.now >= deadline {
                throw Failure(description: "the test SMTP server received \(received.count) of \(count) messages within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Every SMTP step the server saw, in order.
    public func events() -> [SMTPServerEvent] {
        let text = (try? String(contentsOf: mailDirectory.appendingPathComponent("events.jsonl"), encoding: .utf8)) ?? ""
        // A line being written at this moment may be incomplete; it is read next time.
        return text.split(separator: "\n").compactMap { try? JSONDecoder().decode(SMTPServerEvent.self, from: Data($0.utf8)) }
    }

    /// Stops the server (SIGTERM, SIGKILL after 3 s) and removes its folder. Safe to repeat.
    public func stop() {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
            let deadline = Date().addingTimeInterval(3)
            while process.isRunning && Date() < deadline { usleep(10_000) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        }
        try? FileManager.default.removeItem(at: directory)
    }

    /// Tests/Fixtures/smtp/smtp_server.py of this checkout.
    public static let script: String = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Tests/Fixtures/smtp/smtp_server.py").path
}
