import Foundation

/// Stable error codes of `error` messages (docs/protocol.md lists them with their meaning).
public enum WireErrorCode: String, Sendable, CaseIterable {
    /// Not a JSON object, or `v`/`type` missing, or `v`, `type`, `ref` or `topic` not of
    /// their type. Carries the message's `ref` when it had a string one.
    case badMessage = "bad-message"
    /// `v` is not a version this server speaks.
    case unsupportedVersion = "unsupported-version"
    /// `type` is not a command.
    case unknownType = "unknown-type"
    /// A field is missing, of the wrong type, too long or otherwise invalid.
    case validation = "validation-failed"
    /// The topic is not a workspace the person belongs to (or does not exist).
    case notMember = "not-member"
    /// The command needs a subscription to the topic first.
    case notSubscribed = "not-subscribed"
    /// The thread, post or blog post does not exist (or was deleted).
    case notFound = "not-found"
    /// The person may not do this (e.g. edit another person's post).
    case forbidden = "forbidden"
    /// The command conflicts with the current state.
    case conflict = "conflict"
    /// Too many commands; `retryAfterMs` says when to try again.
    case rateLimited = "rate-limited"
    /// The meeting has ended; nobody can join it any more.
    case meetingEnded = "meeting-ended"
    /// The meeting already has `meeting.max_participants` participants.
    case meetingFull = "meeting-full"
    /// The recording could not be started (its file could not be created); the meeting goes on.
    case recordingFailed = "recording-failed"
    /// A meeting command from a connection that has not joined that meeting (or still waits
    /// in its lobby).
    case notInMeeting = "not-in-meeting"
    /// Something failed on the server; it was logged.
    case `internal` = "internal"
}

public struct WireError: Error, Sendable, Equatable {
    public var code: WireErrorCode
    public var message: String
    public var retryAfterMs: Int?
    /// `validation-failed`: the field that is wrong, as a path inside `data` (`lastSeq`,
    /// `streamId`), or `data` for the whole payload, `topic` for the topic.
    public var field: String?

    public init(_ code: WireErrorCode, _ message: String, retryAfterMs: Int? = nil, field: String? = nil) {
        self.code = code
        self.message = message
        self.retryAfterMs = retryAfterMs
        self.field = field
    }
}

/// Close codes the server uses. 1000–1011 are RFC 6455's; 4000–4999 are Communis's own and
/// tell the client whether reconnecting makes sense.
public enum CloseCode: UInt16, Sendable, CaseIterable {
    case normal = 1000
    /// The server is shutting down; reconnect after a moment.
    case goingAway = 1001
    /// The frames broke RFC 6455 (unmasked client frame, stray continuation, bad opcode…).
    case protocolError = 1002
    /// A text frame was not valid UTF-8.
    case invalidPayload = 1007
    /// Never sent first by this server (docs/protocol.md does not list it): kept so that a
    /// client's own close with 1008 is answered with the same code (RFC 6455 §5.5.1).
    case policyViolation = 1008
    /// A frame or message was larger than the configured maximum.
    case messageTooBig = 1009
    /// An unexpected server error.
    case internalError = 1011
    /// No frame (not even a pong) arrived within the idle timeout; reconnect.
    case idleTimeout = 4000
    /// The session ended (logged out, account disabled); log in again before reconnecting.
    case sessionEnded = 4001
    /// The client did not read fast enough and its outgoing queue overflowed; reconnect and
    /// resume from the last seq seen.
    case slowConsumer = 4008
    /// Too many commands in too short a time, repeatedly.
    case rateLimited = 4029

    /// Whether a client should reconnect after this close.
    public var shouldReconnect: Bool {
        switch self {
        case .sessionEnded, .protocolError, .invalidPayload, .policyViolation, .messageTooBig: false
        default: true
        }
    }
}
