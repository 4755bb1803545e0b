import MashSchema

/// The mutable state of one evaluation: the record's slots, variables bound by `some`/`every` and
/// filters, definitions already computed for this record, and the decision values escalation and
/// disclosure conditions may read. One frame is reused across the records of a batch.
final class Frame {
    var record: [Value] = []
    var locals: [Value]
    var definitions: [Value]
    var definitionsDone: [Bool]
    var level: Value = .null
    var rating: Value = .null
    var route: Value = .null
    var deadline: Value = .null
    var request: Value = .null

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
