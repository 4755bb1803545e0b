import MashSchema

/// The mutable state of one evaluation: the record's slots, variables bound by `some`/`every` and
/// filters, definitions already computed for this record, and the decision values escalation and
/// disclosure conditions may read. One frame is reused across the records of a batch.
///
/// Dynamic exclusivity checks are off for its fields: every expression reads them, the checks were a
/// visible cost, and a frame is only ever used by one evaluation on one thread at a time.
final class Frame {
    @exclusivity(unchecked) var record: [Value] = []
    @exclusivity(unchecked) var locals: [Value]
    @exclusivity(unchecked) var definitions: [Value]
    @exclusivity(unchecked) var definitionsDone: [Bool]
    @exclusivity(unchecked) var level: Value = .null
    @exclusivity(unchecked) var rating: Value = .null
    @exclusivity(unchecked) var route: Value = .null
    @exclusivity(unchecked) var deadline: Value = .null
    @exclusivity(unchecked) var request: Value = .null

    init(localCount: Int, definitionCount: Int) {
        locals = Array(repeating: .null, count: localCount)
        definitions = Array(repeating: .null, count: definitionCount)
        definitionsDone = Array(repeating: false, count: definitionCount)
    }

    func reset(record: [Value]) {
        self.record = record
        for i in definitionsDone.indices { definitionsDone[i] = false }
        level = .null; rating = .null; route = .null; deadline = .null; request = .null
    }
}

/// A compiled expression: names already resolved to slots.
typealias Code = @Sendable (Frame) -> Value
