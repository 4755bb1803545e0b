import MashChecker
import MashSchema

/// One checked expression compiled on its own, evaluated against a record's slots.
public struct CompiledExpression: Sendable {
    private let code: Code
    private let layout: FrameLayout

    public init(_ typed: TypedExpr, localCount: Int) {
        let compiler = Compiler(localCount: localCount)
        code = compiler.compile(typed)
        layout = compiler.layout
    }

    /// `record` is a `.record` value of the schema the expression was checked against.
    public func evaluate(_ record: Value) -> Value {
        let frame = Frame(layout)
        if case .record(let slots) = record { frame.reset(record: slots) }
        return code(frame)
    }
}
