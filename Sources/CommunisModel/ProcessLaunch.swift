import Foundation

/// Starts child processes one at a time in this process. Foundation's `Process.run` on Linux
/// is not safe against another thread starting a process at the same moment: CI saw it crash
/// inside `Process.run` (a bad read in its memcpy) while one test bundled the web client with
/// esbuild and another started slapd. Every `Process.run` of Communis and its test fixtures
/// goes through here.
public enum ProcessLaunch {
    private static let lock = NSLock()

    public static func run(_ process: Process) throws {
        lock.lock()
        defer { lock.unlock() }
        try process.run()
    }
}
