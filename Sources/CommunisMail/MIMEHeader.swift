import Foundation

/// Header fields of RFC 5322 with the encodings of RFC 2047. Every value is first cleaned of
/// CR, LF and other control characters (replaced by spaces), so a name, subject or address
/// can never end its header early and start one of its own (header injection).
enum MIMEHeader {
    /// RFC 5322 §2.1.1: lines should stay within 78 characters.
    static let preferredLineLength = 78
    /// RFC 2047 §2: a line holding an encoded-word must not be longer than 76 characters.
    static let encodedLineLength = 76
    /// RFC 2047 §2: one encoded-word is at most 75 characters.
    static let encodedWordLength = 75

    /// `From: Name <address>`: a name of plain words as it is, other ASCII names quoted,
    /// anything else as encoded-words; no name gives the bare address.
    static func address(name: String, displayName: String, address rawAddress: String) -> String {
        let address = bracketFree(rawAddress)
        let phrase = clean(displayName).trimmingCharacters(in: .whitespaces)
        let prefix = "\(name): "
        if phrase.isEmpty { return prefix + address }
        let angle = "<\(address)>"
        if isPrintableASCII(phrase) {
            let word = phrase.unicodeScalars.allSatisfy { isAtext($0) || $0 == " " } && !phrase.contains("=?")
                ? phrase
                : "\"" + phrase.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
            let oneLine = prefix + word + " " + angle
            return oneLine.count <= preferredLineLength ? oneLine : prefix + word + "\r\n " + angle
        }
        let words = encodedWords(phrase, firstLineUsed: prefix.count)
        var header = prefix + words.joined(separator: "\r\n ")
        let lastLine = words.count == 1 ? prefix.count + words[0].count : 1 + words[words.count - 1].count
        header += lastLine + 1 + angle.count <= preferredLineLength ? " " + angle : "\r\n " + angle
        return header
    }

    /// An unstructured field (Subject): printable ASCII folded at spaces, anything else as
    /// encoded-words folded between words.
    static func unstructured(name: String, value rawValue: String) -> String {
        let value = clean(rawValue)
        let prefix = "\(name): "
        let words = value.split(separator: " ", omittingEmptySubsequences: false)
        // "=?" in plain text would be read as the start of an encoded-word; an overlong word
        // cannot be folded; both go encoded.
        if isPrintableASCII(value), !value.contains("=?"), words.allSatisfy({ $0.count < 900 }) {
            var lines: [String] = []
            var line = prefix
            for (index, word) in words.enumerated() {
                if index == 0 { line += word; continue }
                if line.count + 1 + word.count > preferredLineLength, line.contains(where: { $0 != " " }), !word.isEmpty {
                    lines.append(line)
                    line = " " + word
                } else {
                    line += " " + word
                }
            }
            lines.append(line)
            return lines.joined(separator: "\r\n")
        }
        return prefix + encodedWords(value, firstLineUsed: prefix.count).joined(separator: "\r\n ")
    }

    /// RFC 2047 "B" encoded-words of UTF-8, each holding whole Unicode scalars, sized so that
    /// the first fits after `firstLineUsed` characters and each further one on a line of its own
    /// behind one space of folding.
    static func encodedWords(_ text: String, firstLineUsed: Int) -> [String] {
        let overhead = "=?utf-8?B??=".count
        func capacity(lineRoom: Int) -> Int {
            let base64Characters = min(lineRoom, encodedWordLength) - overhead
            return max(base64Characters / 4, 1) * 3
        }
        var words: [String] = []
        var chunk: [UInt8] = []
        var limit = capacity(lineRoom: encodedLineLength - firstLineUsed)
        for scalar in text.unicodeScalars {
            let bytes = Array(String(scalar).utf8)
            if chunk.count + bytes.count > limit, !chunk.isEmpty {
                words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
                chunk = []
                limit = capacity(lineRoom: encodedLineLength - 1)
            }
            chunk += bytes
        }
        if !chunk.isEmpty || words.isEmpty {
            words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
        }
        return words
    }

    /// RFC 5322 §3.3: "Sun, 6 Dec 2026 21:30:00 +0100", English names, Swedish local time.
    static func date(_ date: Date) -> String {
        let zone = TimeZone(identifier: "Europe/Stockholm") ?? TimeZone(secondsFromGMT: 0)!
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.weekday, .day, .month, .year, .hour, .minute, .second], from: date)
        let days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        let offset = zone.secondsFromGMT(for: date) / 60
        let sign = offset < 0 ? "-" : "+"
        func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(days[c.weekday! - 1]), \(c.day!) \(months[c.month! - 1]) \(c.year!) "
            + "\(two(c.hour!)):\(two(c.minute!)):\(two(c.second!)) \(sign)\(two(abs(offset) / 60))\(two(abs(offset) % 60))"
    }

    /// The id between the angle brackets of Message-ID.
    static func messageID(_ raw: String) -> String { bracketFree(raw) }

    /// What may stand between angle brackets: no brackets, spaces or control characters.
    static func bracketFree(_ raw: String) -> String {
        String(String.UnicodeScalarView(raw.unicodeScalars.filter { $0.value > 0x20 && $0.value != 0x7F && $0 != "<" && $0 != ">" }))
    }

    /// Control characters (CR and LF above all) become spaces.
    static func clean(_ value: String) -> String {
        String(String.UnicodeScalarView(value.unicodeScalars.map {
            ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F || (0x80..<0xA0).contains($0.value) || $0 == "\u{2028}" || $0 == "\u{2029}" ? " " : $0
        }))
    }

    static func isPrintableASCII(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { (0x20...0x7E).contains($0.value) || $0 == "\t" }
    }

    /// RFC 5322 §3.2.3 atext.
    static func isAtext(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: "!#$%&'*+-/=?^_`{|}~".unicodeScalars.contains(scalar)
        }
    }
}
