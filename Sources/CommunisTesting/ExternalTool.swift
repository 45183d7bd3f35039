import Foundation

/// Runs a program (opus-tools' `opusinfo` and `opusdec` in the audio tests) and collects what
/// it printed, stdout and stderr together.
public enum ExternalTool {
    /// Runs on a thread of its own: waiting for a program never holds one of Swift's
    /// cooperative threads, which every test in the process shares.
    @discardableResult
    public static func run(_ executable: String, _ arguments: [String]) async throws -> (status: Int32, output: String) {
        try await FixtureProcess.detached { try runNow(executable, arguments) }
    }

    /// `run` on the calling thread.
    @discardableResult
    public static func runNow(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try FixtureProcess.spawn(process)
        let output = FixtureProcess.readAll(pipe.fileHandleForReading)
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self))
    }
}
