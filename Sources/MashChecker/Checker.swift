import Foundation
import MashCore
import MashSchema
import MashSyntax
import OrderedCollections

/// One rule set's parsed files. A rule set that `extends` another is checked as a list of layers,
/// base first.
public struct RuleSetLayer: Sendable {
    public let files: [RuleSetFile]
    public init(files: [RuleSetFile]) { self.files = files }
    public var header: Header? { files.lazy.compactMap(\.header).first }
}

/// Checks a rule set against its schema. The stages run in this order:
/// 1. merge the layers (a later layer's list entries replace the base's; rules need `override`);
/// 2. resolve levels, ratings, routes, catalogs, calendar and the combine policy (names used below);
/// 3. check definitions, rules, tables, escalation paths and disclosure policies;
/// 4. report definitions nothing uses.
public enum Checker {
    /// `folder` is the rule set's own folder: the source locations a decision names are relative to it,
    /// so the same rule set gives the same decisions wherever it is read from.
    public static func check(layers: [RuleSetLayer], schema: Schema, sources: SourceMap, folder: String? = nil) -> (CheckedRuleSet?, [Diagnostic]) {
        let session = CheckSession(schema: schema, sources: sources)
        session.folder = folder
        let result = session.run(layers)
        return (session.diagnostics.hasErrors ? nil : result, session.diagnostics)
    }
}

struct Placed<T> {
    let value: T
    let layer: Int
    let span: Span
}

enum DecisionDecl {
    case rule(RuleDecl)
    case table(TableDecl)
}

final class CheckSession {
    let schema: Schema
    let sources: SourceMap
    var diagnostics: [Diagnostic] = []

    var header: Header?
    var levelEntries = OrderedDictionary<String, Placed<LevelsDecl.Entry>>()
    var ratingEntries = OrderedDictionary<String, Placed<RatingsDecl.Entry>>()
    var measuredFrom: Expr?
    var catalogs: [CatalogDecl.Kind: OrderedDictionary<String, Placed<CatalogDecl.Entry>>] = [:]
    var calendarEntries: [String: CalendarEntry] = [:]
    var holidays: [String: CalendarEntry] = [:]
    var combineEntries: [String: CombineDecl.Entry] = [:]
    var definitions = OrderedDictionary<String, Placed<LetDecl>>()
    var decisions = OrderedDictionary<String, Placed<DecisionDecl>>()
    var escalationDecls = OrderedDictionary<String, Placed<EscalationDecl>>()
    var disclosureDecls = OrderedDictionary<String, Placed<DisclosureDecl>>()

    var levelsById: [String: CheckedRuleSet.Level] = [:]
    var ratingsById: [String: CheckedRuleSet.Rating] = [:]
    var routesById: [String: CheckedRuleSet.Item] = [:]
    var definitionIndex: [String: Int] = [:]
    var definitionResults: [Int: (typed: TypedExpr, facts: [FactPath])] = [:]
    var definitionsInProgress: Set<Int> = []
    var usedDefinitions: Set<Int> = []
    var localCount = 0

    init(schema: Schema, sources: SourceMap) {
        self.schema = schema
        self.sources = sources
    }

    func allocateLocal() -> Int {
        defer { localCount += 1 }
        return localCount
    }

    var folder: String?

    func location(_ span: Span) -> String {
        let line = sources[span.file]?.location(of: span.start).line ?? 0
        var path = span.file
        if let folder, path.hasPrefix(folder + "/") { path.removeFirst(folder.count + 1) }
        return "\(path):\(line)"
    }

    // MARK: - Stage 1: merge layers

    private func place<T>(_ table: inout OrderedDictionary<String, Placed<T>>, _ id: Identifier, span: Span, isOverride: Bool,
                          layer: Int, kind: String, keyword: String, value: T) {
        if let existing = table[id.name] {
            if existing.layer == layer {
                diagnostics.append(CheckerMessages.duplicate(kind, id.name, span: id.span, first: existing.span))
                return
            }
            if !isOverride {
                diagnostics.append(CheckerMessages.duplicate(kind, id.name, span: id.span, first: existing.span,
                                                             help: "the base rule set already has \(kind) `\(id.name)`; to replace it, write `override \(keyword) \(id.name)`"))
                return
            }
            table[id.name] = Placed(value: value, layer: layer, span: id.span)
        } else {
            if isOverride {
                diagnostics.append(Diagnostic(code: "nothing-to-override", message: "there is no \(kind) `\(id.name)` in a base rule set to override",
                                              span: id.span, help: "remove `override`, or check the name against the base rule set"))
            }
            table[id.name] = Placed(value: value, layer: layer, span: id.span)
        }
    }

    /// List entries (levels, ratings, routes...): a later layer replaces an entry with the same name.
    private func setEntry<T>(_ table: inout OrderedDictionary<String, Placed<T>>, _ id: Identifier, layer: Int, kind: String, value: T) {
        if let existing = table[id.name], existing.layer == layer {
            diagnostics.append(CheckerMessages.duplicate(kind, id.name, span: id.span, first: existing.span))
            return
        }
        table[id.name] = Placed(value: value, layer: layer, span: id.span)
    }

    private func merge(_ layers: [RuleSetLayer]) {
        for (layer, files) in layers.enumerated() {
            if let h = files.header { header = h }
            for file in files.files {
                for declaration in file.declarations {
                    switch declaration {
                    case .calendar(let c):
                        for entry in c.entries {
                            switch entry.item {
                            case .timezone: calendarEntries["timezone"] = entry
                            case .workingDays: calendarEntries["days"] = entry
                            case .workingHours: calendarEntries["hours"] = entry
                            case .holiday(let d, _): holidays[d.value] = entry
                            }
                        }
                    case .levels(let l):
                        for e in l.entries { setEntry(&levelEntries, e.id, layer: layer, kind: "level", value: e) }
                    case .ratings(let r):
                        if let from = r.measuredFrom { measuredFrom = from }
                        for e in r.entries { setEntry(&ratingEntries, e.id, layer: layer, kind: "rating", value: e) }
                    case .catalog(let c):
                        var table = catalogs[c.kind] ?? [:]
                        for e in c.entries { setEntry(&table, e.id, layer: layer, kind: c.kind.singular, value: e) }
                        catalogs[c.kind] = table
                    case .combine(let c):
                        for e in c.entries {
                            let key: String
                            switch e.item {
                            case .levelHighest: key = "level"
                            case .ratingFollowsLevel, .ratingMostUrgent: key = "rating"
                            case .routeFollowsLevel, .routeMostIntensive: key = "route"
                            case .defaultLevel: key = "default"
                            }
                            combineEntries[key] = e
                        }
                    case .definition(let d):
                        place(&definitions, d.name, span: d.span, isOverride: d.isOverride, layer: layer, kind: "definition", keyword: "let", value: d)
                    case .rule(let r):
                        place(&decisions, r.id, span: r.span, isOverride: r.isOverride, layer: layer, kind: "rule", keyword: "rule", value: .rule(r))
                    case .table(let t):
                        place(&decisions, t.id, span: t.span, isOverride: t.isOverride, layer: layer, kind: "rule", keyword: "table", value: .table(t))
                    case .escalation(let e):
                        place(&escalationDecls, e.id, span: e.span, isOverride: e.isOverride, layer: layer, kind: "escalation path", keyword: "escalation", value: e)
                    case .disclosure(let d):
                        place(&disclosureDecls, d.agency, span: d.span, isOverride: d.isOverride, layer: layer, kind: "disclosure policy", keyword: "disclosure", value: d)
                    }
                }
            }
        }
    }

    // MARK: - Stage 2: declared names

    private func item(_ entry: Placed<CatalogDecl.Entry>) -> CheckedRuleSet.Item {
        CheckedRuleSet.Item(id: entry.value.id.name, label: entry.value.label.value, span: entry.value.id.span)
    }

    private func catalogItems(_ kind: CatalogDecl.Kind) -> [CheckedRuleSet.Item] { (catalogs[kind] ?? [:]).values.map(item) }

    private func resolveCatalogs() -> (levels: [CheckedRuleSet.Level], ratings: [CheckedRuleSet.Rating], calendar: CalendarSpec?) {
        for route in catalogItems(.routes) { routesById[route.id] = route }
        let calendar = resolveCalendar()
        // Ratings: the shorter the clock, the more urgent; ratings without a clock come last.
        let workDay = calendar.map { $0.dayEnd - $0.dayStart } ?? 86400
        func nominal(_ c: ClockSpec?) -> Int {
            guard let c else { return Int.max }
            switch c.unit {
            case .minutes: return c.amount * 60
            case .hours: return c.amount * 3600
            case .days: return c.amount * (c.working ? workDay : 86400)
            case .weeks: return c.amount * (c.working ? workDay * 5 : 86400 * 7)
            }
        }
        let entries = ratingEntries.values.map { $0.value }
        let order = entries.indices.sorted { (nominal(entries[$0].clock.map(ClockSpec.init)), $0) < (nominal(entries[$1].clock.map(ClockSpec.init)), $1) }
        var ratings = [CheckedRuleSet.Rating]()
        for (i, e) in entries.enumerated() {
            if let clock = e.clock { checkClock(clock, calendar) }
            let urgency = order.firstIndex(of: i) ?? i
            let rating = CheckedRuleSet.Rating(id: e.id.name, label: e.label?.value, clock: e.clock.map(ClockSpec.init), urgency: urgency, span: e.id.span)
            ratings.append(rating)
            ratingsById[rating.id] = rating
        }
        var levels = [CheckedRuleSet.Level]()
        var ranks: [Int: Span] = [:]
        for placed in levelEntries.values {
            let e = placed.value
            if let first = ranks[e.rank] {
                diagnostics.append(Diagnostic(code: "duplicate-level-rank", message: "two levels have the number \(e.rank)", span: e.rankSpan,
                                              secondary: [.init(span: first, message: "first used here")], help: "give each level its own number"))
            }
            ranks[e.rank] = e.rankSpan
            if let r = e.rating { resolveRating(r) }
            if let r = e.route { resolveRoute(r) }
            let level = CheckedRuleSet.Level(rank: e.rank, id: e.id.name, label: e.label.value, rating: e.rating?.name, route: e.route?.name, span: e.id.span)
            levels.append(level)
            levelsById[level.id] = level
        }
        levels.sort { $0.rank < $1.rank }
        if levels.isEmpty {
            diagnostics.append(Diagnostic(code: "missing-levels", message: "the rule set declares no levels", span: header?.span,
                                          help: "add a `levels` section, for example: levels / 1 universal \"Universal services\""))
        }
        return (levels, ratings, calendar)
    }

    @discardableResult
    func resolveLevel(_ id: Identifier) -> CheckedRuleSet.Level? {
        if let l = levelsById[id.name] { return l }
        diagnostics.append(CheckerMessages.unknown("level", id.name, declared: levelEntries.keys.elements, span: id.span, section: "levels"))
        return nil
    }

    @discardableResult
    func resolveRating(_ id: Identifier) -> Bool {
        if ratingEntries[id.name] != nil { return true }
        diagnostics.append(CheckerMessages.unknown("rating", id.name, declared: ratingEntries.keys.elements, span: id.span, section: "ratings"))
        return false
    }

    @discardableResult
    func resolveRoute(_ id: Identifier) -> Bool {
        if catalogs[.routes]?[id.name] != nil { return true }
        diagnostics.append(CheckerMessages.unknown("route", id.name, declared: catalogs[.routes]?.keys.elements ?? [], span: id.span, section: "routes"))
        return false
    }

    func resolveCatalog(_ kind: CatalogDecl.Kind, _ id: Identifier) -> CheckedRuleSet.Item? {
        if let e = catalogs[kind]?[id.name] { return item(e) }
        diagnostics.append(CheckerMessages.unknown(kind.singular, id.name, declared: catalogs[kind]?.keys.elements ?? [], span: id.span, section: kind.rawValue))
        return nil
    }

    private var needsCalendar: Span?

    private func checkClock(_ clock: Clock, _ calendar: CalendarSpec?) {
        if clock.amount <= 0 {
            diagnostics.append(Diagnostic(code: "bad-clock", message: "a time limit must be more than zero", span: clock.span))
        }
        if clock.working, calendar == nil, needsCalendar == nil {
            needsCalendar = clock.span
            diagnostics.append(Diagnostic(code: "missing-calendar", message: "working time needs a calendar, and the rule set has none", span: clock.span,
                                          help: "add a calendar: calendar / timezone \"Europe/London\" / working days monday to friday / working hours \"09:00\" to \"17:00\""))
        }
    }

    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    private func resolveCalendar() -> CalendarSpec? {
        guard !calendarEntries.isEmpty || !holidays.isEmpty else { return nil }
        var zone = "Europe/London"
        if case .timezone(let tz)? = calendarEntries["timezone"]?.item {
            if TimeZone(identifier: tz.value) == nil {
                diagnostics.append(Diagnostic(code: "unknown-timezone", message: "unknown time zone \"\(tz.value)\"", span: tz.span,
                                              help: "use an IANA name such as \"Europe/London\""))
            }
            zone = tz.value
        } else if let any = calendarEntries.values.first ?? holidays.values.first {
            diagnostics.append(Diagnostic(code: "missing-timezone", message: "the calendar does not name its time zone", span: any.span,
                                          help: "add: timezone \"Europe/London\""))
        }
        var days: Set<Int> = [1, 2, 3, 4, 5]
        if case .workingDays(let names, let isRange)? = calendarEntries["days"]?.item {
            var numbers: [Int] = []
            for n in names {
                if let i = CheckSession.weekdays.firstIndex(of: n.name.lowercased()) { numbers.append(i + 1) } else {
                    diagnostics.append(Diagnostic(code: "unknown-weekday", message: "unknown weekday `\(n.name)`", span: n.span,
                                                  help: CheckerMessages.didYouMean(n.name.lowercased(), CheckSession.weekdays) ?? "write the day in full, for example `monday`"))
                }
            }
            if isRange, numbers.count == 2 {
                days = numbers[0] <= numbers[1] ? Set(numbers[0]...numbers[1]) : Set(numbers[0]...7).union(1...numbers[1])
            } else if !numbers.isEmpty {
                days = Set(numbers)
            }
        }
        var start = 9 * 3600, end = 17 * 3600
        if case .workingHours(let from, let to)? = calendarEntries["hours"]?.item {
            let s = DateTime.parseTime(Substring(from.value)), e = DateTime.parseTime(Substring(to.value))
            if s == nil { diagnostics.append(Diagnostic(code: "bad-time", message: "\"\(from.value)\" is not a time of day", span: from.span, help: "write it as HH:MM, for example \"09:00\"")) }
            if e == nil { diagnostics.append(Diagnostic(code: "bad-time", message: "\"\(to.value)\" is not a time of day", span: to.span, help: "write it as HH:MM, for example \"17:00\"")) }
            if let s, let e {
                start = s.0; end = e.0
                if start >= end {
                    diagnostics.append(Diagnostic(code: "bad-time", message: "the working day must end after it starts", span: calendarEntries["hours"]!.span))
                }
            }
        }
        var holidayDays: Set<Int> = []
        for entry in holidays.values {
            guard case .holiday(let d, _) = entry.item else { continue }
            if let date = LocalDate.parse(d.value) { holidayDays.insert(date.epochDay) } else {
                diagnostics.append(Diagnostic(code: "bad-date", message: "\"\(d.value)\" is not a date", span: d.span, help: "write it as YYYY-MM-DD"))
            }
        }
        return CalendarSpec(timeZone: zone, workingDays: days, dayStart: start, dayEnd: end, holidays: holidayDays)
    }

    // MARK: - Stage 3: definitions and rules

    func checkDefinition(_ index: Int) -> (typed: TypedExpr, facts: [FactPath]) {
        if let done = definitionResults[index] { return done }
        let decl = definitions.values[index].value
        if definitionsInProgress.contains(index) {
            diagnostics.append(Diagnostic(code: "definition-cycle", message: "definition `\(decl.name.name)` refers to itself", span: decl.name.span,
                                          help: "a definition cannot use itself, directly or through other definitions"))
            return (TypedExpr(.constant(.null), .unknown, decl.value.span), [])
        }
        definitionsInProgress.insert(index)
        var facts: [FactPath] = []
        let typed = check(decl.value, .record, &facts)
        definitionsInProgress.remove(index)
        definitionResults[index] = (typed, facts)
        return (typed, facts)
    }

    private func outcome(_ outcomes: [Outcome], owner: Identifier) -> CheckedRuleSet.Outcome {
        var level: Int?, rating: String?, route: String?
        var seen: [Outcome.Kind: Span] = [:]
        for o in outcomes {
            if let first = seen[o.kind] {
                diagnostics.append(Diagnostic(code: "duplicate-outcome", message: "rule `\(owner.name)` names its \(o.kind.rawValue) twice", span: o.span,
                                              secondary: [.init(span: first, message: "first named here")]))
            }
            seen[o.kind] = o.span
            switch o.kind {
            case .level: level = resolveLevel(o.value)?.rank ?? -1
            case .rating: if resolveRating(o.value) { rating = o.value.name }
            case .route: if resolveRoute(o.value) { route = o.value.name }
            }
        }
        if seen[.level] == nil {
            diagnostics.append(Diagnostic(code: "missing-level", message: "rule `\(owner.name)` does not suggest a level", span: outcomes.first?.span ?? owner.span,
                                          help: "every rule suggests a level: then level <level>, rating <rating>, route <route>"))
        }
        return CheckedRuleSet.Outcome(level: level, rating: rating, route: route)
    }

    private func checkRule(_ r: RuleDecl) -> CheckedRuleSet.Rule {
        var facts: [FactPath] = []
        let condition = check(r.condition, .record, &facts)
        requireBoolean(condition, "the condition of rule `\(r.id.name)`")
        if r.because.value.trimmingCharacters(in: .whitespaces).isEmpty {
            diagnostics.append(Diagnostic(code: "empty-because", message: "rule `\(r.id.name)` gives no reason", span: r.because.span,
                                          help: "say why, in words a practitioner would use"))
        }
        return CheckedRuleSet.Rule(id: r.id.name, span: r.id.span, title: r.title.value, condition: condition, outcome: outcome(r.outcomes, owner: r.id),
                                   because: r.because.value, location: location(r.id.span), facts: facts)
    }

    private func checkTable(_ t: TableDecl) -> CheckedRuleSet.Table {
        var facts: [FactPath] = []
        let condition = t.condition.map { c -> TypedExpr in
            let typed = check(c, .record, &facts)
            requireBoolean(typed, "the condition of table `\(t.id.name)`")
            return typed
        }
        let inputs = t.inputs.map { check($0, .record, &facts) }
        var columnIndex: [TableDecl.Column: Int] = [:]
        for (i, c) in t.columns.enumerated() {
            if columnIndex[c.column] != nil {
                diagnostics.append(Diagnostic(code: "duplicate-column", message: "table `\(t.id.name)` has two `\(c.column.rawValue)` columns", span: c.span))
            }
            columnIndex[c.column] = i
        }
        if columnIndex[.level] == nil {
            diagnostics.append(Diagnostic(code: "missing-level", message: "table `\(t.id.name)` has no `level` column", span: t.columns.first?.span ?? t.id.span,
                                          help: "every row suggests a level: add `level` after `||`"))
        }
        var rows: [CheckedRuleSet.Table.Row] = []
        for row in t.rows {
            var tests: [CellTestCode] = []
            for (i, cell) in row.inputs.enumerated() where i < inputs.count {
                tests.append(cellCode(cell, inputs[i], &facts))
            }
            var level: Int?, rating: String?, route: String?
            var because = t.because?.value
            for (column, index) in columnIndex where index < row.outputs.count {
                let out = row.outputs[index]
                switch (column, out) {
                case (.level, .name(let id)): level = resolveLevel(id)?.rank ?? -1
                case (.rating, .name(let id)): if resolveRating(id) { rating = id.name }
                case (.route, .name(let id)): if resolveRoute(id) { route = id.name }
                case (.because, .text(let text)): because = text.value
                case (.rating, .none), (.route, .none), (.because, .none): break
                case (.level, .none(let span)):
                    diagnostics.append(Diagnostic(code: "missing-level", message: "every row of table `\(t.id.name)` must suggest a level", span: span,
                                                  help: "write a level name in this cell"))
                case (.because, .name(let id)):
                    diagnostics.append(Diagnostic(code: "expected-text", message: "the `because` cell must be quoted text", span: id.span,
                                                  help: "write: \"\(id.name)\""))
                case (_, .text(let text)):
                    diagnostics.append(Diagnostic(code: "expected-name", message: "the `\(column.rawValue)` cell must name a \(column.rawValue), not quoted text",
                                                  span: text.span, help: "remove the quotes"))
                }
            }
            if because == nil {
                diagnostics.append(Diagnostic(code: "missing-because", message: "this row of table `\(t.id.name)` gives no reason", span: row.span,
                                              help: "add a `because` line under the table, or a `because` column with a reason in each row"))
            }
            rows.append(.init(span: row.span, tests: tests, outcome: .init(level: level, rating: rating, route: route), because: because ?? "",
                              location: location(row.span)))
        }
        return CheckedRuleSet.Table(id: t.id.name, span: t.id.span, title: t.title.value, hit: t.hit, condition: condition, inputs: inputs, rows: rows,
                                    location: location(t.id.span), facts: facts)
    }

    private func cellCode(_ tests: [CellTest], _ input: TypedExpr, _ facts: inout [FactPath]) -> CellTestCode {
        let codes = tests.map { cellTestCode($0, input, &facts) }
        return codes.count == 1 ? codes[0] : .oneOf(codes)
    }

    private func cellTestCode(_ test: CellTest, _ input: TypedExpr, _ facts: inout [FactPath]) -> CellTestCode {
        switch test {
        case .any: return .any
        case .not(let inner, _): return .not(inner.map { cellTestCode($0, input, &facts) })
        case .compare(let op, let e):
            let value = check(e, .record, &facts)
            _ = binary(op, input, value, e.span)
            return .compare(op, value)
        case .value(let e):
            if case .range(let r) = e.kind {
                let lo = check(r.low, .record, &facts), hi = check(r.high, .record, &facts)
                _ = binary(.lessOrEqual, lo, input, e.span)
                _ = binary(.lessOrEqual, input, hi, e.span)
                return .inRange(low: lo, high: hi, lowClosed: r.lowClosed, highClosed: r.highClosed)
            }
            let value = check(e, .record, &facts)
            if case .list(let element) = value.type, !(input.type.isLenient), !equatable(input.type, value.type) {
                if !equatable(input.type, element) {
                    diagnostics.append(CheckerMessages.typeMismatch("`\(text(input.span))` (\(input.type)) can never be in \(value.type)", span: e.span))
                }
                return .inList(value)
            }
            _ = binary(.equal, input, value, e.span)
            return .equals(value)
        }
    }

    private var decisionScope: Scope {
        var s = Scope()
        s.context = [.level, .rating, .route, .deadline]
        return s
    }

    private func checkDateTime(_ e: Expr, _ scope: Scope, _ what: String) -> TypedExpr {
        var facts: [FactPath] = []
        let t = check(e, scope, &facts)
        if t.type != .dateTime, !t.type.isLenient {
            diagnostics.append(CheckerMessages.typeMismatch("\(what) must be a date-time, but `\(text(t.span))` is \(t.type)", span: t.span))
        }
        return t
    }

    private func checkEscalation(_ e: EscalationDecl, calendar: CalendarSpec?) -> CheckedRuleSet.Escalation {
        let scope = decisionScope
        let startsAt = checkDateTime(e.startsAt, scope, "the start of an escalation")
        if let c = e.startsAfter { checkClock(c, calendar) }
        var facts: [FactPath] = []
        let startsWhen = e.startsWhen.map { w -> TypedExpr in
            let t = check(w, scope, &facts)
            requireBoolean(t, "the `when` condition of escalation `\(e.id.name)`")
            return t
        }
        var stageIds: [String: Span] = [:]
        var stages: [CheckedRuleSet.Escalation.Stage] = []
        for (i, s) in e.stages.enumerated() {
            if let first = stageIds[s.id.name] {
                diagnostics.append(CheckerMessages.duplicate("stage", s.id.name, span: s.id.span, first: first))
            }
            stageIds[s.id.name] = s.id.span
            if let c = s.within { checkClock(c, calendar) }
            if s.within == nil, i < e.stages.count - 1 {
                diagnostics.append(Diagnostic(code: "stage-without-limit", severity: .warning,
                                              message: "stage `\(s.id.name)` has no time limit, so the stages after it are never reached by the clock",
                                              span: s.span, help: "add a limit: within 2 working days"))
            }
            let role = resolveCatalog(.roles, s.role) ?? .init(id: s.role.name, label: s.role.name)
            stages.append(.init(id: s.id.name, role: role, within: s.within.map(ClockSpec.init)))
        }
        let currentStage = e.currentStage.map { c -> TypedExpr in
            let t = check(c, scope, &facts)
            if !t.type.isTextual, !t.type.isLenient {
                diagnostics.append(CheckerMessages.typeMismatch("the current stage must be text naming a stage, but `\(text(t.span))` is \(t.type)", span: t.span))
            }
            if case .enumeration(let values) = t.type {
                for v in values where stageIds[v] == nil {
                    diagnostics.append(Diagnostic(code: "unknown-stage", message: "the record may say stage \"\(v)\", which path `\(e.id.name)` does not have",
                                                  span: t.span, help: "the stages are: \(e.stages.map(\.id.name).joined(separator: ", "))"))
                }
            }
            return t
        }
        let since = e.currentSince.map { checkDateTime($0, scope, "the time the current stage began") }
        let resolved = e.resolvedAt.map { checkDateTime($0, scope, "the resolution time") }
        return CheckedRuleSet.Escalation(id: e.id.name, title: e.title.value, startsAt: startsAt, startsAfter: e.startsAfter.map(ClockSpec.init),
                                         startsWhen: startsWhen, currentStage: currentStage, currentSince: since, resolvedAt: resolved,
                                         stages: stages, location: location(e.id.span))
    }

    private func requestFields(for span: Span) -> CheckedRuleSet.RequestFields? {
        let help = "add to the schema: disclosure_requests: {optional: true, list: {fields: {agency: string, category: string, audience: string, purpose: string?}}}"
        guard let slot = schema.root.slot(of: "disclosure_requests"), case .list(.record(let r)) = schema.root.fields[slot].type else {
            diagnostics.append(Diagnostic(code: "missing-requests-field", message: "the schema has no `disclosure_requests` list for disclosure policies to answer",
                                          span: span, help: help))
            return nil
        }
        var slots: [String: Int] = [:]
        for name in ["agency", "category", "audience"] {
            guard let s = r.slot(of: name), MType(r.fields[s].type).isTextual else {
                diagnostics.append(Diagnostic(code: "missing-requests-field", message: "`disclosure_requests` needs a text field `\(name)`", span: span, help: help))
                return nil
            }
            slots[name] = s
        }
        let purpose = r.slot(of: "purpose").flatMap { MType(r.fields[$0].type).isTextual ? $0 : nil }
        let id = r.slot(of: "id").flatMap { MType(r.fields[$0].type).isTextual || r.fields[$0].type == .number ? $0 : nil }
        return .init(listSlot: slot, type: r, agency: slots["agency"]!, category: slots["category"]!, audience: slots["audience"]!, purpose: purpose, id: id)
    }

    private func checkDisclosure(_ d: DisclosureDecl, _ request: CheckedRuleSet.RequestFields?) -> CheckedRuleSet.Disclosure {
        let agency = resolveCatalog(.agencies, d.agency) ?? .init(id: d.agency.name, label: d.title.value)
        let decider = resolveCatalog(.roles, d.decidedBy) ?? .init(id: d.decidedBy.name, label: d.decidedBy.name)
        var categories: [String: (Span, Bool)] = [:]
        var checkedCategories: [CheckedRuleSet.Disclosure.Category] = []
        for c in d.categories {
            if let first = categories[c.id.name] {
                diagnostics.append(CheckerMessages.duplicate("category", c.id.name, span: c.id.span, first: first.0))
                continue
            }
            categories[c.id.name] = (c.id.span, c.neverShared)
            checkedCategories.append(.init(id: c.id.name, span: c.id.span, handling: c.handling?.name, neverShared: c.neverShared, location: location(c.id.span)))
        }
        var scope = decisionScope
        scope.context.insert(.request)
        scope.requestType = request?.type
        var shares: [CheckedRuleSet.Disclosure.Share] = []
        for s in d.shares {
            if let (_, never) = categories[s.category.name] {
                if never {
                    diagnostics.append(Diagnostic(code: "never-shared-category", message: "category `\(s.category.name)` is never shared, so this rule can never apply",
                                                  span: s.category.span, help: "remove this rule, or remove `never shared` from the category if it may be shared"))
                }
            } else {
                diagnostics.append(CheckerMessages.unknown("category", s.category.name, declared: d.categories.map(\.id.name), span: s.category.span,
                                                           section: "categories of `\(d.agency.name)`"))
            }
            _ = resolveCatalog(.audiences, s.audience)
            if let p = s.purpose { _ = resolveCatalog(.purposes, p) }
            var facts: [FactPath] = []
            let condition = s.condition.map { c -> TypedExpr in
                let t = check(c, scope, &facts)
                requireBoolean(t, "the condition of a share rule")
                return t
            }
            shares.append(.init(category: s.category.name, audience: s.audience.name, purpose: s.purpose?.name, form: s.form, condition: condition,
                                requirements: s.requirements, location: location(s.span), facts: facts))
        }
        return CheckedRuleSet.Disclosure(agency: agency, decidedBy: decider, categories: checkedCategories, shares: shares)
    }

    // MARK: - Run

    func run(_ layers: [RuleSetLayer]) -> CheckedRuleSet? {
        merge(layers)
        guard let header else {
            diagnostics.append(Diagnostic(code: "missing-header", message: "the rule set has no `ruleset` header", span: nil,
                                          help: "start one file with: ruleset \"Name\" version \"2026.1\" authority \"Council\""))
            return nil
        }
        let (levels, ratings, calendar) = resolveCatalogs()
        // Combine policy.
        var ratingPolicy = CheckedRuleSet.RatingPolicy.followsLevel
        var routePolicy = CheckedRuleSet.RoutePolicy.followsLevel
        if case .ratingMostUrgent? = combineEntries["rating"]?.item { ratingPolicy = .mostUrgent }
        if case .routeMostIntensive? = combineEntries["route"]?.item { routePolicy = .mostIntensive }
        var defaultLevel = levels.first?.rank ?? 1
        if case .defaultLevel(let id)? = combineEntries["default"]?.item, let l = resolveLevel(id) { defaultLevel = l.rank }

        for (i, key) in definitions.keys.enumerated() { definitionIndex[key] = i }
        var clockStart: TypedExpr?
        if let from = measuredFrom {
            clockStart = checkDateTime(from, .record, "the time response clocks start")
        } else if let clocked = ratingEntries.values.first(where: { $0.value.clock != nil }) {
            diagnostics.append(Diagnostic(code: "missing-clock-start", message: "ratings have clocks, but the rule set does not say when they start",
                                          span: clocked.value.span, help: "write: ratings measured from referral.received"))
        }
        let roles = catalogItems(.roles), agencies = catalogItems(.agencies)
        let audiences = catalogItems(.audiences), purposes = catalogItems(.purposes)

        var rules: [CheckedRuleSet.Rule] = []
        var tables: [CheckedRuleSet.Table] = []
        for placed in decisions.values {
            switch placed.value {
            case .rule(let r): rules.append(checkRule(r))
            case .table(let t): tables.append(checkTable(t))
            }
        }
        let escalations = escalationDecls.values.map { checkEscalation($0.value, calendar: calendar) }
        let request = disclosureDecls.isEmpty ? nil : requestFields(for: disclosureDecls.values[0].value.agency.span)
        let disclosures = disclosureDecls.values.map { checkDisclosure($0.value, request) }
        let typedDefinitions = definitions.keys.indices.map { checkDefinition($0).typed }
        for (i, placed) in definitions.values.enumerated() where !usedDefinitions.contains(i) {
            diagnostics.append(Diagnostic(code: "unused-definition", severity: .warning, message: "definition `\(placed.value.name.name)` is never used",
                                          span: placed.value.name.span, help: "use it in a rule, or remove it"))
        }
        return CheckedRuleSet(
            name: header.name.value, version: header.version.value, authority: header.authority.value, schema: schema,
            levels: levels, ratings: ratings, routes: catalogItems(.routes), roles: roles, agencies: agencies, audiences: audiences,
            purposes: purposes, calendar: calendar, clockStart: clockStart, ratingPolicy: ratingPolicy, routePolicy: routePolicy,
            defaultLevel: defaultLevel, definitions: typedDefinitions, rules: rules, tables: tables, escalations: escalations,
            disclosures: disclosures, requestFields: request, localCount: localCount)
    }
}

extension Checker {
    /// Checks one expression against a schema, outside any rule set: what tools, tests and the FEEL
    /// conformance runner use. Names resolve to the schema's top-level fields.
    public static func check(expression: Expr, schema: Schema, sources: SourceMap) -> (TypedExpr?, localCount: Int, [Diagnostic]) {
        let session = CheckSession(schema: schema, sources: sources)
        var facts: [FactPath] = []
        let typed = session.check(expression, .record, &facts)
        return (session.diagnostics.hasErrors ? nil : typed, session.localCount, session.diagnostics)
    }
}
