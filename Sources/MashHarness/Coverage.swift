import Mash

/// What the test cases exercised, observed from their decisions: a rule counts when it fired, a table
/// row when it matched, an escalation stage when a path stood at it, a disclosure rule when it answered
/// a request. Nothing is evaluated a second time.
public struct Coverage: Sendable {
    public enum Kind: String, Sendable, CaseIterable {
        case rule = "rules"
        case tableRow = "table rows"
        case stage = "escalation stages"
        case disclosure = "disclosure rules"
    }

    public struct Item: Sendable, Hashable {
        public let kind: Kind
        public let id: String
        public let location: String
        public let covered: Bool
    }

    public let items: [Item]

    public init(_ rs: CheckedRuleSet, decisions: [Decision]) {
        var fired: Set<String> = []
        var stages: Set<String> = []
        var answered: Set<String> = []
        for d in decisions {
            for f in d.fired { fired.insert(f.rule + (f.row.map { "#\($0)" } ?? "")) }
            for e in d.escalations where e.status == .open { if let s = e.stage { stages.insert("\(e.path).\(s)") } }
            for a in d.disclosures { if let l = a.location { answered.insert(l) } }
        }
        var items: [Item] = []
        for r in rs.rules { items.append(Item(kind: .rule, id: r.id, location: r.location, covered: fired.contains(r.id))) }
        for t in rs.tables {
            for (i, row) in t.rows.enumerated() {
                let id = "\(t.id)#\(i + 1)"
                items.append(Item(kind: .tableRow, id: id, location: row.location, covered: fired.contains(id)))
            }
        }
        for e in rs.escalations {
            for s in e.stages {
                let id = "\(e.id).\(s.id)"
                items.append(Item(kind: .stage, id: id, location: e.location, covered: stages.contains(id)))
            }
        }
        for d in rs.disclosures {
            for c in d.categories where c.neverShared {
                items.append(Item(kind: .disclosure, id: "\(d.agency.id): \(c.id) never shared", location: c.location, covered: answered.contains(c.location)))
            }
            for s in d.shares {
                let id = "\(d.agency.id): share \(s.category) with \(s.audience)" + (s.purpose.map { " for \($0)" } ?? "")
                items.append(Item(kind: .disclosure, id: id, location: s.location, covered: answered.contains(s.location)))
            }
        }
        self.items = items
    }

    public var coveredCount: Int { items.filter(\.covered).count }
    /// Percentage of items covered; 100 when there is nothing to cover.
    public var percent: Double { items.isEmpty ? 100 : Double(coveredCount) * 100 / Double(items.count) }

    public func count(_ kind: Kind) -> (covered: Int, total: Int) {
        let of = items.filter { $0.kind == kind }
        return (of.filter(\.covered).count, of.count)
    }
}
