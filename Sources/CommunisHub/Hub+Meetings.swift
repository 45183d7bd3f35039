import CommunisModel
import CommunisServices
import CommunisWire

// SKELETON: the hub's meeting side (the control-plane helper replaces this file).
extension Hub: MeetingLive {
    public func roster(of meeting: MeetingID) async -> [LiveJSON.PersonRef] { [] }
    public func ended(_ meeting: MeetingID, by: LiveJSON.PersonRef) async {}
    public func gauges() async -> MeetingGauges { MeetingGauges() }
}
