import Foundation
import MashChecker
import MashCore
import MashRuntime
import MashSchema
import MashSyntax

/// Warnings about a rule set that checks but is probably not what its authors meant. Each has a
/// stable code; `mash check --deny-warnings` turns them into failures for CI.
public enum Linter {
    public static func lint(_ rs: CheckedRuleSet, sources: SourceMap) -> [Diagnostic] {
        var out: [Diagnostic] = []
        out += contradictions(rs, sources)
        out += tables(rs, sources)
        out += neverProduced(rs)
        out += categoriesWithoutRules(rs)
        return out
    }

    // MARK: Conditions that can never be true

    static func contradictions(_ rs: CheckedRuleSet, _ sources: SourceMap) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let solver = Contradiction(definitions: rs.definitions)
        for rule in rs.rules {
            if let conflict = solver.find(rule.condition) {
                out.append(diagnostic("rule-never-fires", "rule `\(rule.id)` can never fire", at: rule.span, conflict, sources))
            }
        }
        for table in rs.tables {
            if let condition = table.condition, let conflict = solver.find(condition) {
                out.append(diagnostic("rule-never-fires", "table `\(table.id)` can never apply", at: table.span, conflict, sources))
            }
        }
        return out
    }

    private static func diagnostic(_ code: String, _ message: String, at span: Span, _ conflict: [Span], _ sources: SourceMap) -> Diagnostic {
        let texts = conflict.map { "`\(sources[$0.file]?.text(of: $0) ?? "?")`" }
        return Diagnostic(code: code, severity: .warning, message: message + ": " + texts.joined(separator: " and ") + " cannot all be true",
                          span: span, secondary: conflict.map { .init(span: $0, message: "this") },
                          help: "correct the condition, or remove the rule if it is not needed")
    }

    // MARK: Decision tables

    static func tables(_ rs: CheckedRuleSet, _ sources: SourceMap) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for table in rs.tables {
            guard case .analysed(let findings) = TableAnalysis.analyze(table, ruleSet: rs, sources: sources) else { continue }
            for f in findings {
                let example = f.example.map { "\($0.input) = \(ValueText.render($0.value))" }.joined(separator: ", ")
                switch f.kind {
                case .gap:
                    out.append(Diagnostic(code: "table-gap", severity: .warning,
                                          message: "table `\(table.id)` has no row for \(f.count) of the input combinations tried, for example \(example)",
                                          span: table.span, help: "add rows for them, or a last row of `-` cells that says what happens otherwise",
                                          notes: ["example: \(example)"]))
                case .overlap(let rows):
                    out.append(Diagnostic(code: "table-overlap", severity: .warning,
                                          message: "rows \(list(rows)) of table `\(table.id)` (hit unique) all match \(example)",
                                          span: table.rows[rows[1] - 1].span,
                                          secondary: [.init(span: table.rows[rows[0] - 1].span, message: "this row matches too")],
                                          help: "make the rows exclusive, or use `hit first` or `hit priority` if the overlap is intended",
                                          notes: ["example: \(example)"]))
                case .unreachable(let row):
                    out.append(Diagnostic(code: "unreachable-row", severity: .warning,
                                          message: "row \(row) of table `\(table.id)` is never chosen under `hit \(table.hit.rawValue)`: rows before it, or with a higher level, always win",
                                          span: table.rows[row - 1].span, help: "remove the row, or move it above the rows that hide it"))
                }
            }
        }
        return out
    }

    /// `1 and 2`, `1, 2 and 3`.
    static func list(_ rows: [Int]) -> String {
        let names = rows.map(String.init)
        return names.count <= 1 ? names.joined() : names.dropLast().joined(separator: ", ") + " and " + names[names.count - 1]
    }

    // MARK: Declared but never produced

    static func neverProduced(_ rs: CheckedRuleSet) -> [Diagnostic] {
        var levels: Set<Int> = [rs.defaultLevel]
        var ratings: Set<String> = []
        var routes: Set<String> = []
        let outcomes = rs.rules.map(\.outcome) + rs.tables.flatMap { $0.rows.map(\.outcome) }
        for o in outcomes {
            if let l = o.level { levels.insert(l) }
            if let r = o.rating { ratings.insert(r) }
            if let r = o.route { routes.insert(r) }
        }
        for level in rs.levels where levels.contains(level.rank) {
            if let r = level.rating { ratings.insert(r) }
            if let r = level.route { routes.insert(r) }
        }
        var out: [Diagnostic] = []
        func warn(_ kind: String, _ id: String, _ span: Span?) {
            out.append(Diagnostic(code: "never-produced", severity: .warning, message: "\(kind) `\(id)` is declared, but no rule, table row or default produces it",
                                  span: span, help: "use it in a rule, or remove it"))
        }
        for l in rs.levels where !levels.contains(l.rank) { warn("level", l.id, l.span) }
        for r in rs.ratings where !ratings.contains(r.id) { warn("rating", r.id, r.span) }
        for r in rs.routes where !routes.contains(r.id) { warn("route", r.id, r.span) }
        return out
    }

    static func categoriesWithoutRules(_ rs: CheckedRuleSet) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for d in rs.disclosures {
            for c in d.categories where !c.neverShared && !d.shares.contains(where: { $0.category == c.id }) {
                out.append(Diagnostic(code: "category-without-rule", severity: .warning,
                                      message: "\(d.agency.label) category `\(c.id)` has no share rule, so it is always denied",
                                      span: c.span, help: "add a `share \(c.id) with ...` rule, or mark it `never shared` if that is the intent"))
            }
        }
        return out
    }
}
