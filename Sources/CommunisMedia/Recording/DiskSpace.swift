#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Tells how much room is left on the disk that holds a path. The recorder asks about once a
/// second and stops (`.diskFull`) before the disk actually runs out; tests substitute a probe
/// they can flip.
public protocol DiskSpaceProbe: Sendable {
    /// Bytes an unprivileged process may still write on the file system holding `path`, or
    /// nil when that is unknown (the recorder then goes on).
    func availableBytes(atPath path: String) -> Int64?
}

/// The real disk, asked with `statvfs` (blocks available to unprivileged users × fragment size).
public struct FileSystemDiskSpace: DiskSpaceProbe {
    public init() {}

    public func availableBytes(atPath path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) * Int64(info.f_frsize)
    }
}

/// How a write error ends a recording: no room (ENOSPC, EDQUOT) is `.diskFull`, anything
/// else `.writeFailed` with the error's text.
enum RecordingFailure {
    static func reason(for error: any Error) -> MeetingRecorder.StopReason {
        if case OggOpusWriter.WriterError.io(_, let code) = error, code == ENOSPC || code == EDQUOT {
            return .diskFull
        }
        return .writeFailed(String(describing: error))
    }
}
