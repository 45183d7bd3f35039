import CommunisMedia

/// The room's quality tick: every `MeetingState.qualityInterval` while its relay runs, the
/// relay's figures become each participant's relay-side quality (`RelayQualityMeter`), and
/// changes the state holds back for the interval are announced.
extension MeetingRoom {
    func startQualityTimer() {
        guard qualityTimer == nil, !closed else { return }
        qualityTimer = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: MeetingState.qualityInterval)
                guard !Task.isCancelled, let self else { return }
                await self.qualityTick()
            }
        }
    }

    func qualityTick() async {
        guard !closed, let relay else { return }
        let figures = await relay.statistics()
        guard !closed else { return }
        let now = ContinuousClock.now
        let levels = qualityMeter.levels(figures, now: now)
        for case .send(let event, let streams) in state.relayQuality(levels, now: now) { send(event, to: streams) }
    }
}
