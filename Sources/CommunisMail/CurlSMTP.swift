import CCurl
import Foundation

/// How far an SMTP conversation got: the last command libcurl sent.
enum SMTPStage: String, Sendable {
    case connect = "the connection"
    case hello = "EHLO"
    case startTLS = "STARTTLS"
    case auth = "AUTH"
    case mail = "MAIL FROM"
    case rcpt = "RCPT TO"
    case data = "the message data"
}

/// What one libcurl SMTP transfer ended with.
struct SMTPAttempt: Sendable {
    /// libcurl's CURLcode (0 is success).
    var curlCode: CURLcode
    /// The last SMTP reply code (CURLINFO_RESPONSE_CODE); 0 when the server never answered.
    var replyCode: Int
    /// libcurl's own explanation (CURLOPT_ERRORBUFFER, else curl_easy_strerror).
    var curlText: String
    /// The server's last reply before the failure, e.g. "550 5.1.1 <x@y>: User unknown".
    var reply: String
    var stage: SMTPStage
}

/// libcurl as an SMTP client: one easy handle per send, used on one thread from start to end.
enum CurlSMTP {
    /// Swift runs the initialiser of a static `let` exactly once per process, on first use and
    /// under `swift_once` (pthread_once on Linux): `curl_global_init`, which is not thread-safe
    /// in every libcurl build, runs once, before the first handle, even when two sends start
    /// on two threads at the same moment. It is never cleaned up: the process needs it until exit.
    static let globalInit: UInt32 = communis_curl_global_init().rawValue

    /// Blocks for the whole conversation: call it on a thread pool, never an event loop.
    static func send(settings: SMTPSettings, recipient: String, message: [UInt8]) -> SMTPAttempt {
        func failure(_ code: CURLcode, _ text: String) -> SMTPAttempt {
            SMTPAttempt(curlCode: code, replyCode: 0, curlText: text, reply: "", stage: .connect)
        }
        guard globalInit == CURLE_OK.rawValue else {
            return failure(CURLcode(globalInit), "curl_global_init failed: \(String(cString: curl_easy_strerror(CURLcode(globalInit))))")
        }
        guard let handle = curl_easy_init() else { return failure(CURLE_FAILED_INIT, "curl_easy_init failed") }
        defer { curl_easy_cleanup(handle) }

        let errorSize = Int(communis_curl_error_size())
        let errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: errorSize)
        errorBuffer.initialize(repeating: 0, count: errorSize)
        defer { errorBuffer.deallocate() }
        let recipients = curl_slist_append(nil, "<\(recipient)>")
        defer { curl_slist_free_all(recipients) }
        let transfer = Transfer(message)
        let context = Unmanaged.passUnretained(transfer).toOpaque()

        var setup = Setup(handle: handle)
        setup.pointer(CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        setup.string(CURLOPT_URL, settings.url)
        setup.string(CURLOPT_PROTOCOLS_STR, "smtp,smtps")
        setup.long(CURLOPT_NOSIGNAL, 1)  // no SIGALRM for timeouts: this is one thread of many
        setup.long(CURLOPT_CONNECTTIMEOUT, settings.timeoutSeconds)
        setup.long(CURLOPT_TIMEOUT, settings.timeoutSeconds)
        // ALL, not TRY: a server that does not offer STARTTLS fails the send (CURLE_USE_SSL_FAILED)
        // instead of getting the mail, and the password, in plain text.
        setup.long(CURLOPT_USE_SSL, Int((settings.security == .none ? CURLUSESSL_NONE : CURLUSESSL_ALL).rawValue))
        if settings.security != .none {
            setup.long(CURLOPT_SSLVERSION, Int(CURL_SSLVERSION_TLSv1_2))
            setup.long(CURLOPT_SSL_VERIFYPEER, settings.verifyCertificates ? 1 : 0)
            setup.long(CURLOPT_SSL_VERIFYHOST, settings.verifyCertificates ? 2 : 0)
            if !settings.caFile.isEmpty { setup.string(CURLOPT_CAINFO, settings.caFile) }
        }
        if !settings.password.isEmpty {
            setup.string(CURLOPT_USERNAME, settings.username)
            setup.string(CURLOPT_PASSWORD, settings.password)
        }
        setup.string(CURLOPT_MAIL_FROM, "<\(settings.fromAddress)>")
        setup.pointer(CURLOPT_MAIL_RCPT, UnsafeMutableRawPointer(recipients))
        setup.long(CURLOPT_UPLOAD, 1)
        setup.offset(CURLOPT_INFILESIZE_LARGE, Int64(message.count))  // sent as SIZE= in MAIL FROM
        setup.pointer(CURLOPT_READDATA, context)
        setup.result(communis_curl_setopt_read_function(handle) { buffer, size, count, userdata in
            guard let buffer, let userdata else { return 0 }
            return Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue().read(into: buffer, capacity: size * count)
        }, "CURLOPT_READFUNCTION")
        // The debug callback is how the server's reply text and the stage of a failure are
        // known. Only received lines are kept, and of sent lines only the command verb: an AUTH
        // line carries the password.
        setup.long(CURLOPT_VERBOSE, 1)
        setup.pointer(CURLOPT_DEBUGDATA, context)
        setup.result(communis_curl_setopt_debug_function(handle) { _, kind, data, size, userdata in
            guard let data, let userdata else { return 0 }
            let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
            let bytes = UnsafeRawBufferPointer(start: data, count: size)
            if kind == CURLINFO_HEADER_IN { transfer.received(bytes) }
            if kind == CURLINFO_HEADER_OUT { transfer.sent(bytes) }
            return 0
        }, "CURLOPT_DEBUGFUNCTION")
        if let (code, option) = setup.failure {
            return failure(code, "libcurl refused \(option): \(String(cString: curl_easy_strerror(code)))")
        }

        let code = withExtendedLifetime(transfer) { curl_easy_perform(handle) }
        var replyCode = 0
        _ = communis_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &replyCode)
        let buffered = String(cString: errorBuffer)
        return SMTPAttempt(
            curlCode: code,
            replyCode: replyCode,
            curlText: buffered.isEmpty ? String(cString: curl_easy_strerror(code)) : buffered,
            reply: transfer.reply,
            stage: transfer.stage
        )
    }

    /// Sets options one after another and remembers the first one libcurl refused.
    private struct Setup {
        let handle: UnsafeMutableRawPointer
        var failure: (CURLcode, String)?

        mutating func result(_ code: CURLcode, _ option: @autoclosure () -> String) {
            if code != CURLE_OK, failure == nil { failure = (code, option()) }
        }
        mutating func long(_ option: CURLoption, _ value: Int) {
            result(communis_curl_setopt_long(handle, option, value), "option \(option.rawValue)")
        }
        mutating func offset(_ option: CURLoption, _ value: Int64) {
            result(communis_curl_setopt_off_t(handle, option, curl_off_t(value)), "option \(option.rawValue)")
        }
        mutating func string(_ option: CURLoption, _ value: String) {
            result(communis_curl_setopt_string(handle, option, value), "option \(option.rawValue)")
        }
        mutating func pointer(_ option: CURLoption, _ value: UnsafeMutableRawPointer?) {
            result(communis_curl_setopt_pointer(handle, option, value), "option \(option.rawValue)")
        }
    }
}

/// The state of one transfer, reached from libcurl's callbacks through an unretained pointer.
/// Only the thread inside `curl_easy_perform` touches it, so it needs no lock.
private final class Transfer {
    private let bytes: [UInt8]
    private var offset = 0
    private(set) var stage = SMTPStage.connect
    private(set) var reply = ""
    private var replyComplete = true
    /// After QUIT nothing changes: the stage and reply of a failure are what the error says.
    private var quitting = false

    init(_ bytes: [UInt8]) { self.bytes = bytes }

    func read(into buffer: UnsafeMutablePointer<CChar>, capacity: Int) -> Int {
        let count = min(capacity, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBufferPointer { source in
            UnsafeMutableRawPointer(buffer).copyMemory(from: source.baseAddress! + offset, byteCount: count)
        }
        offset += count
        return count
    }

    /// One line of a server reply; "250-" lines continue a reply, "250 " ends it.
    func received(_ data: UnsafeRawBufferPointer) {
        guard !quitting else { return }  // the goodbye after a failure must not hide it
        let line = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !line.isEmpty else { return }
        reply = replyComplete ? line : reply + " " + line
        let scalars = Array(line.unicodeScalars)
        replyComplete = !(scalars.count > 3 && scalars[3] == "-")
    }

    /// Only the first word of a command is looked at, and only a known verb is kept: the lines
    /// of AUTH LOGIN that follow the command are the base64 user name and password.
    func sent(_ data: UnsafeRawBufferPointer) {
        let verb = data.prefix { $0 != 0x20 && $0 != 0x0D && $0 != 0x0A }
        switch String(decoding: verb, as: UTF8.self).uppercased() {
        case "EHLO", "HELO": stage = .hello
        case "STARTTLS": stage = .startTLS
        case "AUTH": stage = .auth
        case "MAIL": stage = .mail
        case "RCPT": stage = .rcpt
        case "DATA": stage = .data
        case "QUIT": quitting = true
        default: break
        }
    }
}
