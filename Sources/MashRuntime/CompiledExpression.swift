import MashChecker
import MashSchema

/// One checked expression compiled on its own, evaluated against a record's slots.
public struct CompiledExpression: Sendable {
    private let code: Code
    private let localCount: Int

    public init(_ typed: TypedExpr, localCount: Int) {
        self.localCount = localCount
        let compiler = Compiler(definitionCount: 0, localCount: localCount, definitionCode: Compiler.DefinitionTable())
        code = compiler.compile(typed)
    }

    /// `record` is a `.record` value of the schema the expression was checked against.
    public func evaluate(_ record: Value) -> Value {
        let frame = Frame(localCount: localCount, definitionCount: 0)
        if case .record(let slots) = record { frame.reset(record: slots) }
        return code(frame)
    }
}
