import Mash

/// One expected-outcome case from a rule set's `tests/` folder.
public struct TestCase: Sendable {
    public let name: String
    /// The test file and line the case starts at, for messages.
    public let file: String
    public let line: Int
    public let record: RawValue
    public let moment: DateTime
    public let checks: [Check]

    public var location: String { "\(file):\(line)" }
}

/// One expectation on a decision. Only what a case writes is checked.
public enum Check: Sendable, Hashable {
    case level(String)
    /// nil: the decision must have no rating.
    case rating(String?)
    case route(String?)
    case deadline(String?)
    /// These rules (or `table#row`) must be among those that fired.
    case fired([String])
    /// None of these may fire (a table name means none of its rows).
    case notFired([String])
    /// The path must be in the decision with these fields; nil fields: the path must not be there.
    case escalation(path: String, fields: [String: String]?)
    case disclosure(request: String, fields: [String: String])
    case problems([String])
}

/// Where a decision differs from what a case expects.
public struct Mismatch: Sendable, Hashable {
    public let field: String
    public let expected: String
    public let actual: String
    public init(field: String, expected: String, actual: String) { self.field = field; self.expected = expected; self.actual = actual }
}

/// The fields an escalation or disclosure expectation may name.
enum ExpectationKeys {
    static let top = ["level", "rating", "route", "deadline", "fired", "not_fired", "escalations", "disclosures", "problems"]
    static let escalation = ["status", "stage", "held_by", "started", "stage_since", "due", "overdue"]
    static let disclosure = ["answer", "form", "approval_by", "requires", "must_record", "reason"]
}
