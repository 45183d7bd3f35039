import CommunisWire
import Synchronization

/// How live connections ended, for `/api/v1/admin/metrics` (house rule 14: every disconnect
/// is counted). Each connection is counted once, by the side that ended it: the server's
/// close codes by name (`slow-consumer` for 4008, `going-away` for 1001 …), `client` when the
/// client sent the first close frame, `dropped` when the TCP connection ended without one.
public final class LiveMetrics: Sendable {
    /// What ended a connection; the metric's `reason` label.
    enum Reason: Hashable, Sendable {
        case server(CloseCode)
        case client
        case dropped

        var label: String {
            switch self {
            case .client: "client"
            case .dropped: "dropped"
            case .server(let code): code.reasonLabel
            }
        }
    }

    private let closes = Mutex<[String: Int]>([:])

    public init() {}

    func closed(_ reason: Reason) {
        closes.withLock { $0[reason.label, default: 0] += 1 }
    }

    /// Connections ended for `label` (a reason label) so far.
    public func count(_ label: String) -> Int { closes.withLock { $0[label] ?? 0 } }

    /// Prometheus lines: one sample per reason seen, plus `slow-consumer` always (the one an
    /// operator alerts on), so the family is there from the start.
    var metrics: [PrometheusText.Metric] {
        var counts = closes.withLock { $0 }
        counts[CloseCode.slowConsumer.reasonLabel, default: 0] += 0
        return counts.sorted { $0.key < $1.key }.map { label, value in
            PrometheusText.Metric(
                name: "communis_live_closes_total{reason=\(PrometheusText.label(label))}", kind: .counter,
                help: "Live connections ended, by reason: the server's close code by name, client (the client closed first) or dropped (no close frame).",
                value: value)
        }
    }
}

extension CloseCode {
    /// The close code's name in metrics and logs.
    var reasonLabel: String {
        switch self {
        case .normal: "normal"
        case .goingAway: "going-away"
        case .protocolError: "protocol-error"
        case .invalidPayload: "invalid-payload"
        case .policyViolation: "policy-violation"
        case .messageTooBig: "message-too-big"
        case .internalError: "internal-error"
        case .idleTimeout: "idle-timeout"
        case .sessionEnded: "session-ended"
        case .slowConsumer: "slow-consumer"
        case .rateLimited: "flooding"
        }
    }
}
