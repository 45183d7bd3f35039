import Foundation

/// Finalises an Ogg Opus file a crash left unfinished: drops a torn last page (bad CRC / short), sets end-of-stream on the last page (recomputing its CRC), returns the duration. Used at start-up for recordings that were still running when the process died.
///
/// The file is read page by page (RFC 3533: `OggS`, version 0, 27-byte header, lacing table,
/// body, CRC-32 with polynomial 0x04C11DB7 over the page with the CRC field zeroed). The file
/// is cut after the last whole page whose CRC checks. If that page ends in a packet that
/// continues on a page that never got written, the unfinished packet is taken off it (its
/// lacing values and body bytes). The page then gets the end-of-stream flag and a new CRC
/// and is written back in place. The duration is the last page's granule position minus the
/// OpusHead pre-skip, at 48 kHz. Only the file's end is rewritten; nothing else changes.
public enum OggOpusRecovery {
    public struct Outcome: Sendable, Equatable {
        /// Playable length after recovery.
        public var durationMs: Int
        /// Size of the file after recovery.
        public var sizeBytes: Int64
        /// Bytes cut off the end (torn page, unfinished packet).
        public var truncatedBytes: Int64

        public init(durationMs: Int, sizeBytes: Int64, truncatedBytes: Int64) {
            self.durationMs = durationMs
            self.sizeBytes = sizeBytes
            self.truncatedBytes = truncatedBytes
        }
    }

    public enum RecoveryError: Error, Sendable, Equatable {
        /// The file does not begin with a whole Ogg page carrying an OpusHead.
        case notOggOpus(path: String)
    }

    public static func finalize(path: String) throws -> Outcome {
        let url = URL(fileURLWithPath: path)
        let data = [UInt8](try Data(contentsOf: url))
        var pages: [Page] = []
        var offset = 0
        while let page = Page(data, at: offset) {
            pages.append(page)
            offset += page.length
        }
        guard var last = pages.last, let head = pages.first, head.body(data).starts(with: Array("OpusHead".utf8)), head.bodyLength >= 12 else {
            throw RecoveryError.notOggOpus(path: path)
        }
        let body = head.body(data)
        let preSkip = Int(body[body.startIndex + 10]) | Int(body[body.startIndex + 11]) << 8
        var bytes = Array(data[last.offset..<last.offset + last.length])
        // A page whose last packet runs on (lacing 255 at the end) lost that packet's rest.
        if last.lacing.last == 255, pages.count > 2 {
            var keep = last.lacing.count
            while keep > 0, last.lacing[keep - 1] == 255 { keep -= 1 }
            if keep == 0 {
                // No packet ends on this page: drop it, the page before is the last.
                pages.removeLast()
                last = pages.last!
                bytes = Array(data[last.offset..<last.offset + last.length])
            } else {
                let lacing = Array(last.lacing[0..<keep])
                let bodyBytes = lacing.reduce(0) { $0 + Int($1) }
                let bodyStart = last.offset + 27 + last.lacing.count
                bytes = Array(data[last.offset..<last.offset + 26]) + [UInt8(keep)] + lacing + Array(data[bodyStart..<bodyStart + bodyBytes])
            }
        }
        let wasEnd = bytes[5] & 0x04 != 0
        bytes[5] |= 0x04
        bytes.replaceSubrange(22..<26, with: [0, 0, 0, 0])
        let crc = Self.crc(bytes)
        bytes.replaceSubrange(22..<26, with: withUnsafeBytes(of: crc.littleEndian, Array.init))
        let newSize = last.offset + bytes.count
        let granule = bytes[6..<14].reversed().reduce(Int64(0)) { $0 << 8 | Int64($1) }
        if !(wasEnd && newSize == data.count && bytes == Array(data[last.offset..<newSize])) {
            let handle = try FileHandle(forWritingTo: url)
            defer { try? handle.close() }
            try handle.seek(toOffset: UInt64(last.offset))
            try handle.write(contentsOf: bytes)
            try handle.truncate(atOffset: UInt64(newSize))
            try handle.synchronize()
        }
        let samples = max(0, granule - Int64(preSkip))
        return Outcome(durationMs: Int(samples * 1000 / 48_000), sizeBytes: Int64(newSize), truncatedBytes: Int64(data.count - newSize))
    }

    /// One whole page whose CRC checks.
    struct Page {
        var offset: Int
        var length: Int
        var lacing: [UInt8]
        var bodyLength: Int

        init?(_ data: [UInt8], at offset: Int) {
            guard offset + 27 <= data.count, data[offset..<offset + 4].elementsEqual("OggS".utf8), data[offset + 4] == 0 else { return nil }
            let segments = Int(data[offset + 26])
            guard offset + 27 + segments <= data.count else { return nil }
            lacing = Array(data[offset + 27..<offset + 27 + segments])
            bodyLength = lacing.reduce(0) { $0 + Int($1) }
            length = 27 + segments + bodyLength
            guard offset + length <= data.count else { return nil }
            self.offset = offset
            var page = Array(data[offset..<offset + length])
            let stored = page[22..<26].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            page.replaceSubrange(22..<26, with: [0, 0, 0, 0])
            guard OggOpusRecovery.crc(page) == stored else { return nil }
        }

        func body(_ data: [UInt8]) -> ArraySlice<UInt8> {
            data[(offset + 27 + lacing.count)..<(offset + length)]
        }
    }

    /// Ogg's CRC-32: polynomial 0x04C11DB7, initial value 0, not reflected, no final xor.
    static func crc(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0
        for byte in bytes {
            crc = (crc << 8) ^ table[Int((crc >> 24) ^ UInt32(byte))]
        }
        return crc
    }

    private static let table: [UInt32] = (0..<256).map { index in
        var value = UInt32(index) << 24
        for _ in 0..<8 { value = value & 0x8000_0000 != 0 ? (value << 1) ^ 0x04C1_1DB7 : value << 1 }
        return value
    }
}
