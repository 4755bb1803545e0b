import MashCore

/// Turns source text into tokens. Newlines are tokens (the language is line-oriented); the parser
/// skips them inside brackets, where only it knows which bracket opens (FEEL writes `]0..4[`).
public struct Lexer {
    public private(set) var tokens: [Token] = []
    public private(set) var comments: [Comment] = []
    public private(set) var diagnostics: [Diagnostic] = []

    private let file: SourceFile
    private let b: [UInt8]
    private var i = 0

    public init(file: SourceFile) {
        self.file = file
        self.b = file.bytes
    }

    public static func tokenize(_ file: SourceFile) -> Lexer {
        var lexer = Lexer(file: file)
        lexer.run()
        return lexer
    }

    private func span(_ s: Int, _ e: Int) -> Span { Span(file: file.path, start: s, end: e) }

    private mutating func run() {
        while i < b.count {
            let c = b[i]
            switch c {
            case UInt8(ascii: " "), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                i += 1
            case UInt8(ascii: "\n"):
                if tokens.last.map({ $0.kind != .newline }) ?? false {
                    tokens.append(Token(kind: .newline, text: "\n", span: span(i, i + 1)))
                }
                i += 1
            case UInt8(ascii: "#"):
                let start = i
                while i < b.count, b[i] != UInt8(ascii: "\n") { i += 1 }
                var lineStart = start
                while lineStart > 0, b[lineStart - 1] != UInt8(ascii: "\n") { lineStart -= 1 }
                let ownLine = b[lineStart..<start].allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }
                var end = i
                while end > start, b[end - 1] == UInt8(ascii: "\r") || b[end - 1] == UInt8(ascii: " ") { end -= 1 }
                comments.append(Comment(text: String(decoding: b[start..<end], as: UTF8.self), span: span(start, end), ownLine: ownLine))
            case UInt8(ascii: "\""):
                lexString()
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                lexNumber()
            case UInt8(ascii: "."):
                if i + 1 < b.count, isDigit(b[i + 1]) { lexNumber() } else { lexSymbol() }
            default:
                if isWordStart(c) { lexWord() } else { lexSymbol() }
            }
        }
        if tokens.last.map({ $0.kind != .newline }) ?? false {
            tokens.append(Token(kind: .newline, text: "\n", span: span(b.count, b.count)))
        }
        tokens.append(Token(kind: .end, text: "", span: span(b.count, b.count)))
    }

    private func isDigit(_ c: UInt8) -> Bool { c >= UInt8(ascii: "0") && c <= UInt8(ascii: "9") }
    private func isWordStart(_ c: UInt8) -> Bool {
        (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "z")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z"))
            || c == UInt8(ascii: "_") || c >= 0x80
    }
    private func isWordPart(_ c: UInt8) -> Bool { isWordStart(c) || isDigit(c) }

    private mutating func lexWord() {
        let start = i
        while i < b.count, isWordPart(b[i]) { i += 1 }
        tokens.append(Token(kind: .word, text: String(decoding: b[start..<i], as: UTF8.self), span: span(start, i)))
    }

    private mutating func lexNumber() {
        let start = i
        while i < b.count, isDigit(b[i]) { i += 1 }
        // A '.' belongs to the number only when a digit follows: `0..4` is a range of two numbers.
        if i + 1 < b.count, b[i] == UInt8(ascii: "."), isDigit(b[i + 1]) {
            i += 1
            while i < b.count, isDigit(b[i]) { i += 1 }
        }
        // An exponent (`1.23e4`, `1e-3`) only when digits follow it; otherwise `e` starts a word.
        if i < b.count, b[i] == UInt8(ascii: "e") || b[i] == UInt8(ascii: "E") {
            var j = i + 1
            if j < b.count, b[j] == UInt8(ascii: "+") || b[j] == UInt8(ascii: "-") { j += 1 }
            if j < b.count, isDigit(b[j]) {
                i = j
                while i < b.count, isDigit(b[i]) { i += 1 }
            }
        }
        tokens.append(Token(kind: .number, text: String(decoding: b[start..<i], as: UTF8.self), span: span(start, i)))
    }

    private mutating func lexString() {
        let start = i
        i += 1
        var value: [UInt8] = []
        while i < b.count {
            let c = b[i]
            if c == UInt8(ascii: "\"") {
                i += 1
                tokens.append(Token(kind: .string, text: String(decoding: value, as: UTF8.self), span: span(start, i)))
                return
            }
            if c == UInt8(ascii: "\n") { break }
            if c == UInt8(ascii: "\\"), i + 1 < b.count {
                let e = b[i + 1]
                switch e {
                case UInt8(ascii: "\""): value.append(e); i += 2
                case UInt8(ascii: "\\"): value.append(e); i += 2
                case UInt8(ascii: "n"): value.append(UInt8(ascii: "\n")); i += 2
                case UInt8(ascii: "t"): value.append(UInt8(ascii: "\t")); i += 2
                case UInt8(ascii: "r"): value.append(UInt8(ascii: "\r")); i += 2
                case UInt8(ascii: "'"): value.append(e); i += 2
                case UInt8(ascii: "u"), UInt8(ascii: "U"):
                    // `\uXXXX` (UTF-16, surrogate pairs joined) or `\UXXXXXX` (a whole code point).
                    let digits = e == UInt8(ascii: "u") ? 4 : 6
                    func hex(at p: Int) -> UInt32? {
                        guard p + digits <= b.count, b[p..<p + digits].allSatisfy(isHex) else { return nil }
                        return UInt32(String(decoding: b[p..<p + digits], as: UTF8.self), radix: 16)
                    }
                    var end = i + 2 + digits
                    var code = hex(at: i + 2)
                    if let high = code, digits == 4, (0xD800...0xDBFF).contains(high) {
                        if end + 1 < b.count, b[end] == UInt8(ascii: "\\"), b[end + 1] == UInt8(ascii: "u") || b[end + 1] == UInt8(ascii: "U"),
                           let low = hex(at: end + 2), (0xDC00...0xDFFF).contains(low) {
                            code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00)
                            end += 6
                        } else {
                            code = nil
                        }
                    }
                    if let code, let u = Unicode.Scalar(code) {
                        value.append(contentsOf: Array(String(Character(u)).utf8))
                    } else {
                        diagnostics.append(LexerMessages.badEscape(span(i, min(end, b.count))))
                    }
                    i = min(end, b.count)
                default:
                    // FEEL keeps other escapes as written, so regular expressions (`"\d+"`) read naturally.
                    value.append(c)
                    value.append(e)
                    i += 2
                }
                continue
            }
            value.append(c)
            i += 1
        }
        diagnostics.append(LexerMessages.unterminatedString(span(start, i)))
        tokens.append(Token(kind: .string, text: String(decoding: value, as: UTF8.self), span: span(start, i)))
    }

    private func isHex(_ c: UInt8) -> Bool {
        isDigit(c) || (c >= UInt8(ascii: "a") && c <= UInt8(ascii: "f")) || (c >= UInt8(ascii: "A") && c <= UInt8(ascii: "F"))
    }

    private static let symbols2: Set<String> = ["||", "..", "!=", "<=", ">=", "**"]
    private static let symbols1: Set<UInt8> = Set("()[],.|=<>+-*/:@".utf8)

    private mutating func lexSymbol() {
        let start = i
        if i + 1 < b.count {
            let two = String(decoding: b[i..<i + 2], as: UTF8.self)
            if Lexer.symbols2.contains(two) {
                i += 2
                tokens.append(Token(kind: .symbol, text: two, span: span(start, i)))
                return
            }
        }
        let c = b[i]
        if Lexer.symbols1.contains(c) {
            i += 1
            tokens.append(Token(kind: .symbol, text: String(UnicodeScalar(c)), span: span(start, i)))
            return
        }
        // Skip one whole (possibly multi-byte) character.
        var end = i + 1
        while end < b.count, b[end] & 0xC0 == 0x80 { end += 1 }
        let text = String(decoding: b[i..<end], as: UTF8.self)
        diagnostics.append(LexerMessages.unexpectedCharacter(text, span(i, end)))
        i = end
    }
}

/// The lexer's message texts, in one place.
enum LexerMessages {
    static func unterminatedString(_ span: Span) -> Diagnostic {
        Diagnostic(code: "unterminated-string", message: "this text has no closing quote", span: span,
                   label: "the text starts here", help: "end the text with `\"` on the same line")
    }
    static func badEscape(_ span: Span) -> Diagnostic {
        Diagnostic(code: "bad-escape", message: "unknown escape in text", span: span,
                   help: "use `\\\"` for a quote, `\\\\` for a backslash, `\\n` for a new line, or `\\uXXXX`")
    }
    static func unexpectedCharacter(_ text: String, _ span: Span) -> Diagnostic {
        Diagnostic(code: "unexpected-character", message: "unexpected character `\(text)`", span: span,
                   help: "comments start with `#`; text goes between double quotes")
    }
}
