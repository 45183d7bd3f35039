import Foundation

/// docs/protocol.md read as data: the message types its tables, headings and example frames
/// name, its error and close codes, and its example frames. Only the document's own
/// conventions are understood (GitHub tables whose first column names the thing, ```json
/// blocks holding one or more frames), so a change of layout fails loudly rather than
/// silently finding nothing (the tests also check that enough was found).
struct ProtocolDocument {
    /// One JSON example frame, with where it stands in the document.
    struct Example: CustomStringConvertible {
        var text: String
        var line: Int
        var section: String
        var description: String { "docs/protocol.md:\(line) (\(section)): \(text.prefix(120))" }
    }

    /// Types in the command tables (`| type | topic | data | ack `data` |`).
    private(set) var commandTableTypes: Set<String> = []
    /// Types in the other tables whose first column is `type` (server → client).
    private(set) var eventTableTypes: Set<String> = []
    /// Types in the table under "Workspace events (have `seq`)".
    private(set) var storedEventTypes: Set<String> = []
    /// `welcome`, `ack`, `error`: headings of "Server → client" that are types.
    private(set) var headingTypes: Set<String> = []
    private(set) var errorCodes: Set<String> = []
    /// Close code → its "reconnect?" cell.
    private(set) var closeCodes: [Int: String] = [:]
    private(set) var examples: [Example] = []

    /// Found relative to this file (symlinks resolved), so it works from any package root.
    static let url = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/protocol.md")

    static func load() throws -> ProtocolDocument {
        try ProtocolDocument(text: String(contentsOf: url, encoding: .utf8))
    }

    init(text: String) throws {
        let lines = text.components(separatedBy: "\n")
        var chapter = ""  // the current `##`
        var section = ""  // the current `###` (or `##`)
        var index = 0
        while index < lines.count {
            let line = lines[index]
            if line.hasPrefix("```json") {
                let start = index + 1
                index += 1
                var block: [String] = []
                while index < lines.count, !lines[index].hasPrefix("```") {
                    block.append(lines[index])
                    index += 1
                }
                examples += try Self.frames(in: block, firstLine: start + 1, section: section)
            } else if line.hasPrefix("```") {
                index += 1
                while index < lines.count, !lines[index].hasPrefix("```") { index += 1 }
            } else if line.hasPrefix("## ") {
                chapter = String(line.dropFirst(3))
                section = chapter
            } else if line.hasPrefix("### ") {
                section = String(line.dropFirst(4))
                // "### `ack` and `error` (answers to commands)": the types come before the
                // parenthesis ("Workspace events (have `seq`)" names a field, not a type).
                if chapter == "Server → client", section.hasPrefix("`") {
                    headingTypes.formUnion(Self.codeSpans(String(section.prefix { $0 != "(" })))
                }
            } else if line.hasPrefix("|") {
                var table: [[String]] = []
                while index < lines.count, lines[index].hasPrefix("|") {
                    table.append(Self.cells(lines[index]))
                    index += 1
                }
                read(table, chapter: chapter, section: section)
                continue
            }
            index += 1
        }
    }

    private mutating func read(_ table: [[String]], chapter: String, section: String) {
        guard let header = table.first, table.count > 2 else { return }
        let rows = table.dropFirst(2)  // header, then the |---| line
        switch header.first {
        case "type":
            let types = Set(rows.flatMap { Self.codeSpans($0[0]) })
            if header.contains(where: { $0.hasPrefix("ack") }) {
                commandTableTypes.formUnion(types)
            } else {
                eventTableTypes.formUnion(types)
                if section.hasPrefix("Workspace events") { storedEventTypes.formUnion(types) }
            }
        case "error code":
            errorCodes.formUnion(rows.flatMap { Self.codeSpans($0[0]) })
        case "code" where chapter == "Close codes":
            for row in rows where row.count >= 3 {
                if let code = Int(row[0]) { closeCodes[code] = row[2] }
            }
        default:
            break
        }
    }

    /// The cells of a table line; `\|` inside a cell is text, not a border.
    static func cells(_ line: String) -> [String] {
        let placeholder = "\u{1}"
        return line.replacingOccurrences(of: "\\|", with: placeholder)
            .split(separator: "|", omittingEmptySubsequences: false)
            .dropFirst().dropLast()
            .map { $0.replacingOccurrences(of: placeholder, with: "|").trimmingCharacters(in: .whitespaces) }
    }

    /// The `code spans` of a piece of Markdown.
    static func codeSpans(_ text: String) -> [String] {
        text.split(separator: "`", omittingEmptySubsequences: false).enumerated()
            .filter { $0.offset % 2 == 1 }.map { String($0.element) }
    }

    /// Splits a ```json block into its top-level JSON values (a frame may span lines, a line
    /// may not hold two frames in this document, but nothing here relies on that).
    static func frames(in block: [String], firstLine: Int, section: String) throws -> [Example] {
        var found: [Example] = []
        var current = ""
        var startLine = firstLine
        var depth = 0
        var inString = false
        var escaped = false
        for (offset, line) in block.enumerated() {
            for character in line {
                if depth == 0 {
                    if character.isWhitespace { continue }
                    guard character == "{" else {
                        throw DocumentError("docs/protocol.md:\(firstLine + offset): text outside a frame in a json block: \(line)")
                    }
                    startLine = firstLine + offset
                }
                current.append(character)
                if inString {
                    if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                    continue
                }
                switch character {
                case "\"": inString = true
                case "{", "[": depth += 1
                case "}", "]":
                    depth -= 1
                    if depth == 0 {
                        found.append(Example(text: current, line: startLine, section: section))
                        current = ""
                    }
                default: break
                }
            }
            if depth > 0 { current.append("\n") }
        }
        guard depth == 0, current.isEmpty else {
            throw DocumentError("docs/protocol.md:\(startLine): a frame in a json block is not closed")
        }
        return found
    }
}

struct DocumentError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
