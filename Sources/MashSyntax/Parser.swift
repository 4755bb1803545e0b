import MashCore

/// Hand-written recursive-descent parser following `grammar/mash.ebnf`.
///
/// Recovery: an error inside a list section (levels, ratings, routes...) skips that line; an error inside
/// a rule, table, escalation or disclosure skips to the next line that starts a declaration. Either way
/// parsing goes on, so one run reports every syntax error it can.
public struct Parser {
    private let file: SourceFile
    private let tokens: [Token]
    private var pos = 0
    private var diagnostics: [Diagnostic] = []
    /// How many brackets are open; inside them line breaks do not end anything.
    private var nesting = 0
    /// Inside the upper bound of a range, `[` closes the range (FEEL's `]0..4[`), it is not a filter.
    private var inRangeHigh = false

    /// Words that start a declaration at the beginning of a line.
    public static let declarationKeywords: Set<String> = [
        "ruleset", "calendar", "levels", "ratings", "routes", "roles", "agencies", "audiences", "purposes",
        "combine", "let", "rule", "table", "escalation", "disclosure", "override",
    ]
    /// Words that cannot be names inside expressions.
    public static let reservedWords: Set<String> = [
        "and", "or", "if", "then", "else", "some", "every", "in", "satisfies", "between", "true", "false", "null",
    ]

    public struct Result: Sendable {
        public let file: RuleSetFile
        public let diagnostics: [Diagnostic]
    }

    public static func parse(_ source: SourceFile) -> Result {
        let lexed = Lexer.tokenize(source)
        var parser = Parser(file: source, tokens: lexed.tokens)
        parser.diagnostics = lexed.diagnostics
        let parsed = parser.parseFile(comments: lexed.comments)
        return Result(file: parsed, diagnostics: parser.diagnostics)
    }

    /// Parses one expression on its own (used by tests and tools).
    public static func parseExpression(_ source: SourceFile) -> (Expr?, [Diagnostic]) {
        let lexed = Lexer.tokenize(source)
        var parser = Parser(file: source, tokens: lexed.tokens)
        parser.diagnostics = lexed.diagnostics
        do {
            let e = try parser.expression()
            parser.skipNewlines()
            if parser.current.kind != .end {
                throw parser.failure(code: "unexpected-token", "unexpected \(parser.describe(parser.current)) after the expression",
                                     at: parser.current.span)
            }
            return (e, parser.diagnostics)
        } catch let f as ParseFailure {
            parser.diagnostics.append(f.diagnostic)
            return (nil, parser.diagnostics)
        } catch {
            return (nil, parser.diagnostics)
        }
    }

    private init(file: SourceFile, tokens: [Token]) {
        self.file = file
        self.tokens = tokens
    }

    // MARK: - Token helpers

    private var current: Token { tokens[pos] }
    private func peek(_ n: Int = 1) -> Token { tokens[min(pos + n, tokens.count - 1)] }
    private func at(_ word: String) -> Bool { current.isWord(word) }
    private func atSymbol(_ s: String) -> Bool { current.isSymbol(s) }

    @discardableResult
    private mutating func advance() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        if nesting > 0 { while tokens[pos].kind == .newline { pos += 1 } }
        return t
    }

    /// After an opening bracket: line breaks are skipped until the matching `closeBracket`.
    private mutating func openBracket() {
        nesting += 1
        while tokens[pos].kind == .newline { pos += 1 }
    }

    /// Before consuming a closing bracket, so that the line break after it still counts.
    private mutating func closeBracket() { nesting = max(0, nesting - 1) }

    private mutating func skipNewlines() { while current.kind == .newline { advance() } }

    /// Skips line breaks when the next line continues with one of `words` (for example `when` under `share`).
    private mutating func continueLine(onto words: Set<String>) {
        var p = pos
        while tokens[p].kind == .newline { p += 1 }
        if tokens[p].kind == .word, words.contains(tokens[p].text) { pos = p }
    }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .word: return "`\(t.text)`"
        case .number: return "number `\(t.text)`"
        case .string: return "text \"\(t.text)\""
        case .symbol: return "`\(t.text)`"
        case .newline: return "end of line"
        case .end: return "end of file"
        }
    }

    private func failure(code: String, _ message: String, at span: Span, label: String? = nil, help: String? = nil) -> ParseFailure {
        ParseFailure(diagnostic: Diagnostic(code: code, message: message, span: span, label: label, help: help))
    }

    private mutating func expectWord(_ word: String, code: String = "expected-keyword", _ context: String, help: String? = nil) throws -> Token {
        guard at(word) else {
            throw failure(code: code, "expected `\(word)` \(context), found \(describe(current))", at: current.span,
                          label: "expected `\(word)` here", help: help)
        }
        return advance()
    }

    private mutating func expectSymbol(_ s: String, _ context: String, help: String? = nil) throws -> Token {
        guard atSymbol(s) else {
            throw failure(code: "expected-symbol", "expected `\(s)` \(context), found \(describe(current))", at: current.span,
                          label: "expected `\(s)` here", help: help)
        }
        return advance()
    }

    private mutating func identifier(_ what: String, help: String? = nil) throws -> Identifier {
        guard current.kind == .word, !Parser.reservedWords.contains(current.text) else {
            throw failure(code: "expected-name", "expected \(what), found \(describe(current))", at: current.span,
                          label: "expected \(what) here", help: help)
        }
        let t = advance()
        return Identifier(name: t.text, span: t.span)
    }

    private mutating func text(_ what: String, help: String? = nil) throws -> TextLiteral {
        guard current.kind == .string else {
            throw failure(code: "expected-text", "expected \(what) in double quotes, found \(describe(current))", at: current.span,
                          label: "expected quoted text here", help: help)
        }
        let t = advance()
        return TextLiteral(value: t.text, span: t.span)
    }

    private mutating func endOfLine(_ context: String) throws {
        guard current.kind == .newline || current.kind == .end else {
            throw failure(code: "unexpected-token", "unexpected \(describe(current)) \(context)", at: current.span,
                          label: "the line should end here")
        }
        skipNewlines()
    }

    /// After an error: skip to the next line that starts with a declaration keyword.
    private mutating func synchronize() {
        nesting = 0
        while current.kind != .end {
            if current.kind == .newline {
                skipNewlines()
                if current.kind == .word, Parser.declarationKeywords.contains(current.text) { return }
            } else {
                advance()
            }
        }
    }

    private mutating func skipLine() {
        nesting = 0
        while current.kind != .newline, current.kind != .end { advance() }
        skipNewlines()
    }

    private func atDeclarationStart() -> Bool {
        current.kind == .end || (current.kind == .word && Parser.declarationKeywords.contains(current.text))
    }

    /// The span of everything from `start` to the last non-newline token consumed.
    private func lastSpan(from start: Span) -> Span {
        var p = pos - 1
        while p > 0, tokens[p].kind == .newline || tokens[p].kind == .end { p -= 1 }
        return p >= 0 && tokens[p].span.start >= start.start ? start.to(tokens[p].span) : start
    }

    // MARK: - File

    private mutating func parseFile(comments: [Comment]) -> RuleSetFile {
        skipNewlines()
        var header: Header?
        var declarations: [Declaration] = []
        if at("ruleset") {
            do { header = try parseHeader() } catch let f as ParseFailure { diagnostics.append(f.diagnostic); synchronize() } catch {}
        }
        while current.kind != .end {
            skipNewlines()
            if current.kind == .end { break }
            do {
                if at("ruleset") {
                    throw failure(code: "misplaced-header", "the `ruleset` header must come first in its file", at: current.span,
                                  help: "move this line to the top of the file")
                }
                declarations.append(try parseDeclaration())
            } catch let f as ParseFailure {
                diagnostics.append(f.diagnostic)
                if current.kind == .newline || !atDeclarationStart() { synchronize() } else if at("ruleset") { synchronize() }
            } catch {}
        }
        return RuleSetFile(path: file.path, header: header, declarations: declarations, comments: comments)
    }

    private mutating func parseHeader() throws -> Header {
        let start = advance().span
        let name = try text("the rule set's name", help: "write: ruleset \"Borough thresholds\" version \"2026.1\" authority \"Borough Council\"")
        _ = try expectWord("version", "after the rule set's name")
        let version = try text("the version")
        _ = try expectWord("authority", "after the version")
        let authority = try text("the owning authority")
        try endOfLine("after the rule set header")
        var schema: TextLiteral?, base: TextLiteral?
        while true {
            if at("uses") {
                advance()
                _ = try expectWord("schema", "after `uses`")
                schema = try text("the schema file", help: "write: uses schema \"schema.yaml\"")
                try endOfLine("after the schema file")
            } else if at("extends") {
                advance()
                base = try text("the base rule set's folder", help: "write: extends \"../london\"")
                try endOfLine("after the base rule set")
            } else { break }
        }
        return Header(name: name, version: version, authority: authority, schema: schema, base: base, span: lastSpan(from: start))
    }

    private mutating func parseDeclaration() throws -> Declaration {
        let start = current.span
        var isOverride = false
        if at("override") {
            advance()
            isOverride = true
            guard at("let") || at("rule") || at("table") || at("escalation") || at("disclosure") else {
                throw failure(code: "expected-keyword", "`override` must be followed by `let`, `rule`, `table`, `escalation` or `disclosure`",
                              at: current.span)
            }
        }
        guard current.kind == .word else {
            throw failure(code: "expected-declaration", "expected a declaration, found \(describe(current))", at: current.span,
                          help: "a line at this level starts with one of: \(Parser.declarationKeywords.filter { $0 != "ruleset" }.sorted().joined(separator: ", "))")
        }
        switch current.text {
        case "calendar": return .calendar(try parseCalendar())
        case "levels": return .levels(try parseLevels())
        case "ratings": return .ratings(try parseRatings())
        case "routes", "roles", "agencies", "audiences", "purposes": return .catalog(try parseCatalog())
        case "combine": return .combine(try parseCombine())
        case "let": return .definition(try parseLet(isOverride: isOverride, start: start))
        case "rule": return .rule(try parseRule(isOverride: isOverride, start: start))
        case "table": return .table(try parseTable(isOverride: isOverride, start: start))
        case "escalation": return .escalation(try parseEscalation(isOverride: isOverride, start: start))
        case "disclosure": return .disclosure(try parseDisclosure(isOverride: isOverride, start: start))
        default:
            let suggestion = Suggestion.closest(to: current.text, among: Parser.declarationKeywords)
            throw failure(code: "expected-declaration", "expected a declaration, found \(describe(current))", at: current.span,
                          label: "not a declaration keyword",
                          help: suggestion.map { "did you mean `\($0)`?" }
                            ?? "a line at this level starts with one of: \(Parser.declarationKeywords.filter { $0 != "ruleset" }.sorted().joined(separator: ", "))")
        }
    }

    /// Parses the entry lines of a list section; a bad line is reported and skipped.
    private mutating func sectionEntries<T>(_ parseEntry: (inout Parser) throws -> T) -> [T] {
        var entries: [T] = []
        skipNewlines()
        while !atDeclarationStart() {
            do {
                entries.append(try parseEntry(&self))
            } catch let f as ParseFailure {
                diagnostics.append(f.diagnostic)
                skipLine()
            } catch {}
        }
        return entries
    }

    // MARK: - Sections

    private mutating func parseCalendar() throws -> CalendarDecl {
        let start = advance().span
        try endOfLine("after `calendar`")
        let entries: [CalendarEntry] = sectionEntries { p in
            let s = p.current.span
            let item: CalendarDecl.Item
            if p.at("timezone") {
                p.advance()
                item = .timezone(try p.text("an IANA time zone", help: "write: timezone \"Europe/London\""))
            } else if p.at("working"), p.peek().isWord("days") {
                p.advance(); p.advance()
                var days = [try p.identifier("a weekday")]
                var isRange = false
                if p.at("to") {
                    p.advance()
                    days.append(try p.identifier("a weekday"))
                    isRange = true
                } else {
                    while p.atSymbol(",") { p.advance(); days.append(try p.identifier("a weekday")) }
                }
                item = .workingDays(days, range: isRange)
            } else if p.at("working"), p.peek().isWord("hours") {
                p.advance(); p.advance()
                let from = try p.text("the start of the working day", help: "write: working hours \"09:00\" to \"17:00\"")
                _ = try p.expectWord("to", "between the start and end of the working day")
                let to = try p.text("the end of the working day")
                item = .workingHours(from, to)
            } else if p.at("holiday") {
                p.advance()
                let date = try p.text("the holiday's date", help: "write: holiday \"2026-12-25\" \"Christmas Day\"")
                let label = p.current.kind == .string ? try p.text("the holiday's name") : nil
                item = .holiday(date, label)
            } else {
                throw p.failure(code: "expected-calendar-item", "expected a calendar line, found \(p.describe(p.current))", at: p.current.span,
                                help: "a calendar line is one of: timezone \"Europe/London\" · working days monday to friday · working hours \"09:00\" to \"17:00\" · holiday \"2026-12-25\" \"Christmas Day\"")
            }
            let entry = CalendarEntry(item: item, span: p.lastSpan(from: s))
            try p.endOfLine("after the calendar line")
            return entry
        }
        return CalendarDecl(entries: entries, span: lastSpan(from: start))
    }

    private mutating func parseLevels() throws -> LevelsDecl {
        let start = advance().span
        try endOfLine("after `levels`")
        let entries: [LevelsDecl.Entry] = sectionEntries { p in
            let s = p.current.span
            guard p.current.kind == .number, let rank = Int(p.current.text) else {
                throw p.failure(code: "expected-level", "expected a level number, found \(p.describe(p.current))", at: p.current.span,
                                help: "a level line is: 4 protection \"Acute: child protection (s47)\" rating red route strategy_discussion")
            }
            let rankSpan = p.advance().span
            let id = try p.identifier("the level's name")
            let label = try p.text("the level's description")
            var rating: Identifier?, route: Identifier?
            while p.at("rating") || p.at("route") {
                if p.advance().text == "rating" { rating = try p.identifier("a rating") } else { route = try p.identifier("a route") }
            }
            let entry = LevelsDecl.Entry(rank: rank, rankSpan: rankSpan, id: id, label: label, rating: rating, route: route, span: p.lastSpan(from: s))
            try p.endOfLine("after the level")
            return entry
        }
        return LevelsDecl(entries: entries, span: lastSpan(from: start))
    }

    private mutating func clock() throws -> Clock {
        let start = current.span
        guard current.kind == .number, let amount = Int(current.text) else {
            throw failure(code: "expected-clock", "expected a whole number of minutes, hours, days or weeks, found \(describe(current))", at: current.span,
                          help: "write for example: 4 working hours · 72 hours · 5 working days")
        }
        advance()
        var working = false
        if at("working") { advance(); working = true }
        let unitWord = current.text
        let unit: Clock.Unit?
        switch unitWord {
        case "minute", "minutes": unit = .minutes
        case "hour", "hours": unit = .hours
        case "day", "days": unit = .days
        case "week", "weeks": unit = .weeks
        default: unit = nil
        }
        guard current.kind == .word, let unit else {
            throw failure(code: "expected-clock", "expected `minutes`, `hours`, `days` or `weeks`, found \(describe(current))", at: current.span,
                          help: "write for example: 4 working hours · 72 hours · 5 working days")
        }
        let end = advance().span
        return Clock(amount: amount, working: working, unit: unit, span: start.to(end))
    }

    private mutating func parseRatings() throws -> RatingsDecl {
        let start = advance().span
        var measuredFrom: Expr?
        if at("measured") {
            advance()
            _ = try expectWord("from", "after `measured`", help: "write: ratings measured from referral.received")
            measuredFrom = try expression()
        }
        try endOfLine("after `ratings`")
        let entries: [RatingsDecl.Entry] = sectionEntries { p in
            let s = p.current.span
            let id = try p.identifier("a rating name", help: "a rating line is: red within 4 working hours \"Immediate risk\"")
            var clock: Clock?
            if p.at("within") { p.advance(); clock = try p.clock() }
            let label = p.current.kind == .string ? try p.text("the rating's description") : nil
            let entry = RatingsDecl.Entry(id: id, clock: clock, label: label, span: p.lastSpan(from: s))
            try p.endOfLine("after the rating")
            return entry
        }
        return RatingsDecl(measuredFrom: measuredFrom, entries: entries, span: lastSpan(from: start))
    }

    private mutating func parseCatalog() throws -> CatalogDecl {
        let keyword = advance()
        let kind = CatalogDecl.Kind(rawValue: keyword.text) ?? .routes
        try endOfLine("after `\(keyword.text)`")
        let entries: [CatalogDecl.Entry] = sectionEntries { p in
            let s = p.current.span
            let id = try p.identifier("a \(kind.singular) name", help: "a \(kind.singular) line is: name \"Description\"")
            let label = try p.text("the \(kind.singular)'s description")
            let entry = CatalogDecl.Entry(id: id, label: label, span: p.lastSpan(from: s))
            try p.endOfLine("after the \(kind.singular)")
            return entry
        }
        return CatalogDecl(kind: kind, entries: entries, span: lastSpan(from: keyword.span))
    }

    private mutating func parseCombine() throws -> CombineDecl {
        let start = advance().span
        try endOfLine("after `combine`")
        let help = "a combine line is one of: level highest · rating follows level · rating most urgent · route follows level · route most intensive · default level universal"
        let entries: [CombineDecl.Entry] = sectionEntries { p in
            let s = p.current.span
            let item: CombineDecl.Item
            if p.at("level") {
                p.advance()
                _ = try p.expectWord("highest", "after `level`", help: help)
                item = .levelHighest
            } else if p.at("rating") || p.at("route") {
                let which = p.advance().text
                if p.at("follows") {
                    p.advance()
                    _ = try p.expectWord("level", "after `follows`", help: help)
                    item = which == "rating" ? .ratingFollowsLevel : .routeFollowsLevel
                } else {
                    _ = try p.expectWord("most", "after `\(which)`", help: help)
                    _ = try p.expectWord(which == "rating" ? "urgent" : "intensive", "after `most`", help: help)
                    item = which == "rating" ? .ratingMostUrgent : .routeMostIntensive
                }
            } else if p.at("default") {
                p.advance()
                _ = try p.expectWord("level", "after `default`", help: help)
                item = .defaultLevel(try p.identifier("a level"))
            } else {
                throw p.failure(code: "expected-combine-item", "expected a combine line, found \(p.describe(p.current))", at: p.current.span, help: help)
            }
            let entry = CombineDecl.Entry(item: item, span: p.lastSpan(from: s))
            try p.endOfLine("after the combine line")
            return entry
        }
        return CombineDecl(entries: entries, span: lastSpan(from: start))
    }

    private mutating func parseLet(isOverride: Bool, start: Span) throws -> LetDecl {
        advance()
        let name = try identifier("a name for the definition", help: "write: let under_one = child.age_months < 12")
        _ = try expectSymbol("=", "after the definition's name", help: "write: let \(name.name) = <condition>")
        skipNewlines()
        let value = try expression()
        let span = lastSpan(from: start)
        try endOfLine("after the definition")
        return LetDecl(isOverride: isOverride, name: name, value: value, span: span)
    }

    private mutating func parseRule(isOverride: Bool, start: Span) throws -> RuleDecl {
        advance()
        let id = try identifier("the rule's name", help: "write: rule bruising_non_mobile \"Bruising on a non-mobile baby\"")
        let title = try text("the rule's title", help: "write: rule \(id.name) \"A short title\"")
        try endOfLine("after the rule's title")
        _ = try expectWord("when", code: "missing-when", "to start the condition of rule `\(id.name)`",
                           help: "write the condition on the next line: when <condition>")
        let condition = try expression()
        try endOfLine("after the condition")
        _ = try expectWord("then", code: "missing-then", "after the condition of rule `\(id.name)`",
                           help: "say what the rule suggests: then level <level>, rating <rating>, route <route>")
        var outcomes = [try outcome()]
        while atSymbol(",") { advance(); outcomes.append(try outcome()) }
        try endOfLine("after the outcome")
        _ = try expectWord("because", code: "missing-because", "after the outcome of rule `\(id.name)`",
                           help: "every rule says why: because \"the reason a practitioner would give\"")
        let because = try text("the reason")
        let span = lastSpan(from: start)
        try endOfLine("after the reason")
        return RuleDecl(isOverride: isOverride, id: id, title: title, condition: condition, outcomes: outcomes, because: because, span: span)
    }

    private mutating func outcome() throws -> Outcome {
        let s = current.span
        guard current.kind == .word, let kind = Outcome.Kind(rawValue: current.text) else {
            throw failure(code: "expected-outcome", "expected `level`, `rating` or `route`, found \(describe(current))", at: current.span,
                          help: "write: then level protection, rating red, route strategy_discussion")
        }
        advance()
        let value = try identifier("a \(kind.rawValue)")
        return Outcome(kind: kind, value: value, span: s.to(value.span))
    }

    private mutating func parseTable(isOverride: Bool, start: Span) throws -> TableDecl {
        advance()
        let id = try identifier("the table's name")
        let title = try text("the table's title")
        _ = try expectWord("hit", "after the table's title", help: "say how rows combine: hit first · hit unique · hit priority · hit collect max")
        let hitStart = current.span
        let hit: HitPolicy
        switch current.text {
        case "first": hit = .first; advance()
        case "unique": hit = .unique; advance()
        case "priority": hit = .priority; advance()
        case "collect":
            advance()
            _ = try expectWord("max", "after `collect`", help: "the collect policy this language has is `collect max`")
            hit = .collectMax
        default:
            throw failure(code: "unknown-hit-policy", "unknown hit policy \(describe(current))", at: current.span,
                          help: "use one of: first, unique, priority, collect max")
        }
        let hitSpan = lastSpan(from: hitStart)
        try endOfLine("after the hit policy")
        var condition: Expr?
        if at("when") {
            advance()
            condition = try expression()
            try endOfLine("after the table's condition")
        }
        // Header: input expressions | ... || output columns.
        var inputs = [try expression()]
        while atSymbol("|") { advance(); inputs.append(try expression()) }
        _ = try expectSymbol("||", "between the table's inputs and outputs",
                             help: "the header names the inputs, then `||`, then the outputs: referral.dash_risk | referral.child_present || level | rating")
        var columns: [OutputColumn] = []
        repeat {
            if atSymbol("|") { advance() }
            guard current.kind == .word, let column = TableDecl.Column(rawValue: current.text) else {
                throw failure(code: "expected-output-column", "expected an output column (`level`, `rating`, `route` or `because`), found \(describe(current))",
                              at: current.span)
            }
            columns.append(OutputColumn(column: column, span: advance().span))
        } while atSymbol("|")
        try endOfLine("after the table header")
        var rows: [TableDecl.Row] = []
        while !atDeclarationStart(), !at("because") {
            do {
                rows.append(try tableRow(inputCount: inputs.count, outputCount: columns.count))
            } catch let f as ParseFailure {
                diagnostics.append(f.diagnostic)
                skipLine()
            }
        }
        var because: TextLiteral?
        if at("because") {
            advance()
            because = try text("the reason")
        }
        let span = lastSpan(from: start)
        if because != nil { try endOfLine("after the reason") }
        return TableDecl(isOverride: isOverride, id: id, title: title, hit: hit, hitSpan: hitSpan, condition: condition, inputs: inputs,
                         columns: columns, rows: rows, because: because, span: span)
    }

    private mutating func tableRow(inputCount: Int, outputCount: Int) throws -> TableDecl.Row {
        let start = current.span
        var cells: [[CellTest]] = [try cell()]
        while atSymbol("|") { advance(); cells.append(try cell()) }
        _ = try expectSymbol("||", "between the row's input tests and its outputs")
        var outputs: [TableDecl.OutputCell] = []
        repeat {
            if atSymbol("|") { advance() }
            if atSymbol("-") {
                outputs.append(.none(advance().span))
            } else if current.kind == .string {
                let t = advance()
                outputs.append(.text(TextLiteral(value: t.text, span: t.span)))
            } else {
                outputs.append(.name(try identifier("an output value (a level, rating or route name, quoted text, or `-`)")))
            }
        } while atSymbol("|")
        let span = lastSpan(from: start)
        if cells.count != inputCount || outputs.count != outputCount {
            let found = "\(cells.count) input\(cells.count == 1 ? "" : "s") and \(outputs.count) output\(outputs.count == 1 ? "" : "s")"
            throw failure(code: "table-row-width", "this row has \(found), but the header has \(inputCount) and \(outputCount)", at: span,
                          help: "write one cell per header column; `-` matches anything")
        }
        try endOfLine("after the row")
        return TableDecl.Row(inputs: cells, outputs: outputs, span: span)
    }

    private func atCellEnd(_ t: Token) -> Bool {
        t.isSymbol("|") || t.isSymbol("||") || t.kind == .newline || t.kind == .end
    }

    private mutating func cell() throws -> [CellTest] {
        if atSymbol("-"), atCellEnd(peek()) { return [.any(advance().span)] }
        if at("not"), peek().isSymbol("(") {
            let s = advance().span
            advance()
            openBracket()
            var tests = [try cellTest()]
            while atSymbol(",") { advance(); tests.append(try cellTest()) }
            closeBracket()
            let end = try expectSymbol(")", "to close `not(`")
            return [.not(tests, s.to(end.span))]
        }
        var tests = [try cellTest()]
        while atSymbol(",") { advance(); tests.append(try cellTest()) }
        return tests
    }

    private mutating func cellTest() throws -> CellTest {
        for op in [BinaryOperator.lessOrEqual, .greaterOrEqual, .notEqual, .less, .greater] where atSymbol(op.rawValue) {
            advance()
            return .compare(op, try binary(4))
        }
        return .value(try binary(4))
    }

    private mutating func parseEscalation(isOverride: Bool, start: Span) throws -> EscalationDecl {
        advance()
        let id = try identifier("the escalation path's name")
        let title = try text("the escalation path's title")
        try endOfLine("after the escalation path's title")
        var startsAt: Expr?, startsAfter: Clock?, startsWhen: Expr?, currentStage: Expr?, currentSince: Expr?, resolvedAt: Expr?
        var stages: [EscalationDecl.Stage] = []
        let startsHelp = "write: starts at referral.disagreement.raised · or: starts 1 working days after referral.received when level = protection"
        while !atDeclarationStart() {
            if at("starts") {
                advance()
                if at("at") {
                    advance()
                    startsAt = try expression()
                } else if current.kind == .number {
                    startsAfter = try clock()
                    _ = try expectWord("after", "after the time limit", help: startsHelp)
                    startsAt = try expression()
                } else {
                    throw failure(code: "expected-keyword", "expected `at` or a time limit after `starts`, found \(describe(current))", at: current.span, help: startsHelp)
                }
                if at("when") { advance(); startsWhen = try expression() }
                try endOfLine("after the start of the escalation")
            } else if at("current") {
                advance()
                _ = try expectWord("stage", "after `current`", help: "write: current stage referral.disagreement.stage since referral.disagreement.stage_since")
                currentStage = try expression()
                if at("since") { advance(); currentSince = try expression() }
                try endOfLine("after the current stage")
            } else if at("resolved") {
                advance()
                _ = try expectWord("at", "after `resolved`", help: "write: resolved at referral.disagreement.resolved")
                resolvedAt = try expression()
                try endOfLine("after the resolution time")
            } else if at("stage") {
                let s = advance().span
                let stageId = try identifier("the stage's name")
                _ = try expectWord("by", "after the stage's name", help: "say who holds the stage: stage first_line by team_manager within 2 working days")
                let role = try identifier("a role")
                var within: Clock?
                if at("within") { advance(); within = try clock() }
                stages.append(EscalationDecl.Stage(id: stageId, role: role, within: within, span: lastSpan(from: s)))
                try endOfLine("after the stage")
            } else {
                throw failure(code: "expected-escalation-item", "expected `starts`, `current stage`, `resolved at` or `stage`, found \(describe(current))",
                              at: current.span, help: "an escalation path has a `starts` line and one `stage` line per stage")
            }
        }
        guard let startsAt else {
            throw failure(code: "missing-starts", "escalation path `\(id.name)` does not say when it starts", at: id.span, help: startsHelp)
        }
        guard !stages.isEmpty else {
            throw failure(code: "missing-stages", "escalation path `\(id.name)` has no stages", at: id.span,
                          help: "add one line per stage: stage practitioners by practitioner within 5 working days")
        }
        return EscalationDecl(isOverride: isOverride, id: id, title: title, startsAt: startsAt, startsAfter: startsAfter, startsWhen: startsWhen,
                              currentStage: currentStage, currentSince: currentSince, resolvedAt: resolvedAt, stages: stages,
                              span: lastSpan(from: start))
    }

    private mutating func parseDisclosure(isOverride: Bool, start: Span) throws -> DisclosureDecl {
        advance()
        let agency = try identifier("the agency")
        let title = try text("the agency's name")
        _ = try expectWord("decided", "after the agency's name", help: "name the agency's decision maker: decided by mash_sergeant")
        _ = try expectWord("by", "after `decided`")
        let decidedBy = try identifier("a role")
        try endOfLine("after the decision maker")
        var categories: [DisclosureDecl.Category] = []
        var shares: [DisclosureDecl.Share] = []
        while !atDeclarationStart() {
            if at("category") {
                let s = advance().span
                let id = try identifier("the category's name")
                var handling: Identifier?
                var never = false
                if at("handling") { advance(); handling = try identifier("a handling code") }
                if at("never") {
                    advance()
                    _ = try expectWord("shared", "after `never`")
                    never = true
                }
                let label = current.kind == .string ? try text("the category's description") : nil
                categories.append(DisclosureDecl.Category(id: id, handling: handling, neverShared: never, label: label, span: lastSpan(from: s)))
                try endOfLine("after the category")
            } else if at("share") {
                let s = advance().span
                let category = try identifier("a category")
                _ = try expectWord("with", "after the category", help: "write: share intelligence with children_social_care for s47_enquiry")
                let audience = try identifier("an audience")
                var purpose: Identifier?
                if at("for") { advance(); purpose = try identifier("a purpose") }
                var form = DisclosureDecl.Form.full
                var formWritten = false
                if at("as") {
                    advance()
                    guard current.kind == .word, let f = DisclosureDecl.Form(rawValue: current.text) else {
                        throw failure(code: "expected-form", "expected `full`, `sanitised` or `flag` after `as`, found \(describe(current))", at: current.span)
                    }
                    advance()
                    form = f
                    formWritten = true
                }
                continueLine(onto: ["when", "requires"])
                var condition: Expr?
                if at("when") { advance(); condition = try expression() }
                continueLine(onto: ["requires"])
                var requirements: [DisclosureDecl.Requirement] = []
                if at("requires") {
                    advance()
                    repeat {
                        if atSymbol(",") { advance() }
                        requirements.append(try requirement())
                    } while atSymbol(",")
                }
                shares.append(DisclosureDecl.Share(category: category, audience: audience, purpose: purpose, form: form, formWritten: formWritten,
                                                   condition: condition, requirements: requirements, span: lastSpan(from: s)))
                try endOfLine("after the share rule")
            } else {
                throw failure(code: "expected-disclosure-item", "expected `category` or `share`, found \(describe(current))", at: current.span,
                              help: "a disclosure policy lists its categories, then its rules: share intelligence with children_social_care for s47_enquiry when level = protection requires approval, rationale")
            }
        }
        return DisclosureDecl(isOverride: isOverride, agency: agency, title: title, decidedBy: decidedBy, categories: categories, shares: shares,
                              span: lastSpan(from: start))
    }

    private mutating func requirement() throws -> DisclosureDecl.Requirement {
        switch current.kind == .word ? current.text : "" {
        case "approval": advance(); return .approval
        case "rationale": advance(); return .rationale
        case "consent":
            advance()
            if at("or") {
                advance()
                _ = try expectWord("rationale", "after `consent or`", help: "write: requires consent or rationale")
                return .consentOrRationale
            }
            return .consent
        default:
            throw failure(code: "expected-requirement", "expected `approval`, `consent`, `consent or rationale` or `rationale`, found \(describe(current))",
                          at: current.span)
        }
    }

    // MARK: - Expressions

    mutating func expression() throws -> Expr {
        if at("if") { return try conditional() }
        if (at("some") || at("every")), peek().kind == .word, peek(2).isWord("in") { return try quantified() }
        if at("for"), peek().kind == .word, peek(2).isWord("in") { return try forLoop() }
        return try binary(1)
    }

    private mutating func conditional() throws -> Expr {
        let start = advance().span
        let test = try expression()
        continueLine(onto: ["then"])
        _ = try expectWord("then", "after the `if` condition", help: "write: if <condition> then <value> else <value>")
        let yes = try expression()
        continueLine(onto: ["else"])
        _ = try expectWord("else", "after the `then` value", help: "an `if` always has an `else`")
        let no = try expression()
        return Expr(.conditional(test, yes, no), start.to(no.span))
    }

    private mutating func quantified() throws -> Expr {
        let startToken = advance()
        let q: Expr.Quantifier = startToken.text == "some" ? .some : .every
        var bindings: [Expr.Binding] = []
        repeat {
            if atSymbol(",") { advance() }
            let name = try identifier("a name for each item")
            _ = try expectWord("in", "after `\(name.name)`")
            bindings.append(Expr.Binding(name: name, source: try binary(4)))
        } while atSymbol(",")
        continueLine(onto: ["satisfies"])
        _ = try expectWord("satisfies", "after the list", help: "write: \(q.rawValue) c in referral.concerns satisfies c.category = \"neglect\"")
        skipNewlines()
        let body = try expression()
        return Expr(.quantified(q, bindings, body), startToken.span.to(body.span))
    }

    /// `for x in xs, y in 1..3 return e`: the list of `e` for every combination, the first name outermost.
    private mutating func forLoop() throws -> Expr {
        let startToken = advance()
        var bindings: [Expr.Binding] = []
        repeat {
            if atSymbol(",") { advance() }
            let name = try identifier("a name for each item")
            _ = try expectWord("in", "after `\(name.name)`")
            var source = try binary(4)
            if atSymbol("..") {
                // FEEL iterates over `a..b`, counting up or down, without brackets.
                advance()
                let high = try binary(4)
                source = Expr(.range(Expr.Range(low: source, high: high, lowClosed: true, highClosed: true)), source.span.to(high.span))
            }
            bindings.append(Expr.Binding(name: name, source: source))
        } while atSymbol(",")
        continueLine(onto: ["return"])
        _ = try expectWord("return", "after the list", help: "write: for c in referral.concerns return c.category")
        skipNewlines()
        let body = try expression()
        return Expr(.forLoop(bindings, body), startToken.span.to(body.span))
    }

    private func binaryOperator(_ t: Token) -> BinaryOperator? {
        if t.kind == .word { return t.text == "and" ? .and : t.text == "or" ? .or : nil }
        guard t.kind == .symbol else { return nil }
        return BinaryOperator(rawValue: t.text).flatMap { $0 == .or || $0 == .and ? nil : $0 }
    }

    /// Precedence climbing. A line may continue onto the next when the next line starts with `and` or `or`.
    mutating func binary(_ minPrecedence: Int) throws -> Expr {
        var left = try unary()
        while true {
            if current.kind == .newline, minPrecedence <= 2 { continueLine(onto: ["and", "or"]) }
            if minPrecedence <= 3, at("between") {
                advance()
                let low = try binary(4)
                _ = try expectWord("and", "in `between ... and ...`")
                let high = try binary(4)
                left = Expr(.between(left, low, high), left.span.to(high.span))
                continue
            }
            if minPrecedence <= 3, at("in") {
                advance()
                let target = try binary(4)
                left = Expr(.membership(left, target), left.span.to(target.span))
                continue
            }
            guard let op = binaryOperator(current), op.precedence >= minPrecedence else { break }
            advance()
            skipNewlines()
            let right = try binary(op.precedence + 1)
            left = Expr(.binary(op, left, right), left.span.to(right.span))
        }
        return left
    }

    private mutating func unary() throws -> Expr {
        if atSymbol("-") {
            let s = advance().span
            let operand = try unary()
            return Expr(.negate(operand), s.to(operand.span))
        }
        return try postfix()
    }

    private mutating func postfix() throws -> Expr {
        var e = try primary()
        while true {
            if atSymbol(".") {
                advance()
                guard current.kind == .word else {
                    throw failure(code: "expected-name", "expected a field name after `.`, found \(describe(current))", at: current.span)
                }
                let t = advance()
                // FEEL's one two-word property: `.time offset` (a value cannot be followed by a name,
                // so reading `offset` here takes nothing away).
                if t.text == "time", current.isWord("offset") {
                    let o = advance()
                    e = Expr(.member(e, Identifier(name: "time offset", span: t.span.to(o.span))), e.span.to(o.span))
                    continue
                }
                e = Expr(.member(e, Identifier(name: t.text, span: t.span)), e.span.to(t.span))
            } else if atSymbol("["), !inRangeHigh {
                advance()
                openBracket()
                let index = try expression()
                closeBracket()
                let end = try expectSymbol("]", "to close the filter")
                e = Expr(.subscripted(e, index), e.span.to(end.span))
            } else {
                return e
            }
        }
    }

    private mutating func primary() throws -> Expr {
        let t = current
        switch t.kind {
        case .number:
            advance()
            return Expr(.number(t.text), t.span)
        case .string:
            advance()
            return Expr(.string(t.text), t.span)
        case .word:
            switch t.text {
            case "true": advance(); return Expr(.boolean(true), t.span)
            case "false": advance(); return Expr(.boolean(false), t.span)
            case "null": advance(); return Expr(.null, t.span)
            case "not" where peek().isSymbol("("):
                advance(); advance()
                openBracket()
                let operand = try expression()
                closeBracket()
                let end = try expectSymbol(")", "to close `not(`")
                return Expr(.not(operand), t.span.to(end.span))
            default: break
            }
            if let (name, count) = multiWordBuiltin() {
                var last = t.span
                for _ in 0..<count { last = advance().span }
                return try call(Identifier(name: name, span: t.span.to(last)))
            }
            if Parser.reservedWords.contains(t.text) {
                throw failure(code: "expected-expression", "expected a value, found \(describe(t))", at: t.span, label: "expected a value here")
            }
            advance()
            if atSymbol("(") { return try call(Identifier(name: t.text, span: t.span)) }
            return Expr(.name(t.text), t.span)
        case .symbol:
            if t.text == "(" || t.text == "[" || t.text == "]" { return try bracketed() }
            if t.text == "@", peek().kind == .string { return temporalLiteral() }
            throw failure(code: "expected-expression", "expected a value, found \(describe(t))", at: t.span, label: "expected a value here")
        case .newline, .end:
            throw failure(code: "expected-expression", "expected a value, found \(describe(t))", at: t.span, label: "expected a value here")
        }
    }

    /// FEEL's `@"..."` literal: a date, a date-time or a duration, by what the text looks like. It is
    /// the same as calling `date`, `date and time` or `duration` with the text.
    private mutating func temporalLiteral() -> Expr {
        let at = advance()
        let text = advance()
        let value = text.text
        let function: String
        let clock = value.split(separator: "@", maxSplits: 1).first ?? ""
        if value.hasPrefix("P") || value.hasPrefix("-P") { function = "duration" }
        else if clock.contains("T") { function = "date and time" }
        else if clock.contains(":") { function = "time" }
        else { function = "date" }
        let span = at.span.to(text.span)
        return Expr(.call(Identifier(name: function, span: at.span), [Expr(.string(value), text.span)]), span)
    }

    /// A built-in whose FEEL name has several words, when the words are followed by `(`.
    private func multiWordBuiltin() -> (String, Int)? {
        for words in BuiltinNames.multiWord where words[0] == current.text {
            var ok = true
            for (k, w) in words.enumerated().dropFirst() where !peek(k).isWord(w) { ok = false; break }
            if ok, peek(words.count).isSymbol("(") { return (words.joined(separator: " "), words.count) }
        }
        return nil
    }

    private mutating func call(_ name: Identifier) throws -> Expr {
        _ = try expectSymbol("(", "after the function name")
        openBracket()
        var args: [Expr] = []
        if !atSymbol(")") {
            args.append(try expression())
            while atSymbol(",") { advance(); args.append(try expression()) }
        }
        closeBracket()
        let end = try expectSymbol(")", "to close the call to `\(name.name)`")
        return Expr(.call(name, args), name.span.to(end.span))
    }

    /// `( e )`, `( e, e )`, `[ e, e ]`, and ranges `[a..b]`, `(a..b)`, `]a..b[` and mixes.
    private mutating func bracketed() throws -> Expr {
        let open = advance()
        openBracket()
        if open.text == "[", atSymbol("]") {
            closeBracket()
            let end = advance()
            return Expr(.list([]), open.span.to(end.span))
        }
        let first = try expression()
        if atSymbol("..") {
            advance()
            let outer = inRangeHigh
            inRangeHigh = true
            defer { inRangeHigh = outer }
            let high = try expression()
            guard atSymbol("]") || atSymbol(")") || atSymbol("[") else {
                throw failure(code: "expected-symbol", "expected `]` or `)` to close the range, found \(describe(current))", at: current.span)
            }
            closeBracket()
            let close = advance()
            let range = Expr.Range(low: first, high: high, lowClosed: open.text == "[", highClosed: close.text == "]")
            return Expr(.range(range), open.span.to(close.span))
        }
        if open.text == "]" {
            throw failure(code: "expected-symbol", "expected `..` in the range", at: current.span)
        }
        var items = [first]
        while atSymbol(",") { advance(); items.append(try expression()) }
        let closing = open.text == "(" ? ")" : "]"
        closeBracket()
        let end = try expectSymbol(closing, "to close `\(open.text)`")
        if open.text == "(", items.count == 1 { return Expr(first.kind, open.span.to(end.span)) }
        return Expr(.list(items), open.span.to(end.span))
    }
}

struct ParseFailure: Error {
    let diagnostic: Diagnostic
}
