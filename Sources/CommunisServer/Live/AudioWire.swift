import NIOCore
import NIOWebSocket

/// Encode once, send the same bytes to all (house rule 4) for meeting audio.
///
/// A received audio frame is relayed unchanged to up to `meeting.max_participants − 1`
/// listeners. Written as a `WebSocketFrame`, NIO's encoder would build a new frame header for
/// every listener (and a pending write of its own). Instead, the frame handler unmasks a
/// client's binary frame into a buffer that starts with the unmasked server frame header for
/// that payload (FIN + binary, 7- or 16-bit length) and sets the reader index just past it:
/// the relay and everyone else see exactly the audio frame, and each listener's sink writes
/// the whole buffer, header included, below the WebSocket encoder: one shared buffer, no
/// per-listener encoding or allocation. A buffer without such a header (built elsewhere, or
/// a fragmented message) goes through the encoder as usual.
enum AudioWire {
    /// The server frame header's first byte: FIN, opcode binary.
    static let finBinary: UInt8 = 0x82

    /// Header bytes a server frame of `length` payload bytes needs (no mask), or nil when the
    /// payload needs the 64-bit length form (never for audio).
    static func headerBytes(payload length: Int) -> Int? {
        switch length {
        case 0...125: 2
        case 126...65_535: 4
        default: nil
        }
    }

    /// The payload of `frame` (a complete, masked client binary frame), preceded — before the
    /// reader index — by the server frame header for it.
    static func unmasked(_ frame: WebSocketFrame, allocator: ByteBufferAllocator) -> ByteBuffer {
        let length = frame.data.readableBytes
        guard let maskKey = frame.maskKey, frame.extensionData == nil, let headerBytes = headerBytes(payload: length) else {
            return frame.unmaskedData
        }
        var buffer = allocator.buffer(capacity: headerBytes + length)
        buffer.writeInteger(finBinary)
        if headerBytes == 2 {
            buffer.writeInteger(UInt8(length))
        } else {
            buffer.writeInteger(UInt8(126))
            buffer.writeInteger(UInt16(length))
        }
        buffer.moveReaderIndex(forwardBy: headerBytes)
        var data = frame.data
        buffer.writeBuffer(&data)
        buffer.webSocketUnmask(maskKey)
        return buffer
    }

    /// The complete server frame (header + payload) if `frame` carries one in front of its
    /// reader index, else nil. Shares `frame`'s storage.
    static func wireFrame(_ frame: ByteBuffer) -> ByteBuffer? {
        let length = frame.readableBytes
        guard let headerBytes = headerBytes(payload: length), frame.readerIndex == headerBytes else { return nil }
        var wire = frame
        wire.moveReaderIndex(to: 0)
        guard wire.getInteger(at: 0, as: UInt8.self) == finBinary else { return nil }
        if headerBytes == 2 {
            guard wire.getInteger(at: 1, as: UInt8.self) == UInt8(length) else { return nil }
        } else {
            guard wire.getInteger(at: 1, as: UInt8.self) == 126, wire.getInteger(at: 2, as: UInt16.self) == UInt16(length) else { return nil }
        }
        return wire
    }
}
