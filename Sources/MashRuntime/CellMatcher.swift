import Foundation
import MashChecker
import MashSchema

/// A decision-table cell test compiled on its own, for analysis tools. Only cells whose values are
/// constants can be judged without a record; `isConstant` says which.
public struct CellMatcher: Sendable {
    private let test: Cell
    private let scratch: Scratch

    /// The one frame a matcher's tests run in (analysis calls `matches` many times per cell), kept
    /// behind a lock so a matcher stays safe to share.
    private final class Scratch: @unchecked Sendable {
        let lock = NSLock()
        let frame: Frame // Used only while holding `lock`.
        init(_ frame: Frame) { self.frame = frame }
    }

    public init(_ code: CellTestCode) {
        let compiler = Compiler(localCount: 0)
        test = compiler.compileCell(code)
        scratch = Scratch(Frame(compiler.layout))
    }

    public func matches(_ value: Value) -> Bool {
        scratch.lock.lock()
        defer { scratch.lock.unlock() }
        return withUnsafePointer(to: value) { test($0, scratch.frame) }
    }

    /// True when the test depends on nothing but constants.
    public static func isConstant(_ code: CellTestCode) -> Bool {
        switch code {
        case .any: return true
        case .compare(_, let e), .equals(let e), .inList(let e): return e.isConstant
        case .inRange(let lo, let hi, _, _): return lo.isConstant && hi.isConstant
        case .oneOf(let tests), .not(let tests): return tests.allSatisfy(isConstant)
        }
    }

    /// The constants a test compares with, for choosing the values worth trying.
    public static func constants(_ code: CellTestCode) -> [Value] {
        func value(_ e: TypedExpr) -> Value? {
            guard e.isConstant else { return nil }
            return CompiledExpression(e, localCount: 0).evaluate(.record([]))
        }
        switch code {
        case .any: return []
        case .compare(_, let e), .equals(let e): return value(e).map { [$0] } ?? []
        case .inList(let e):
            if case .list(let items)? = value(e) { return items }
            return []
        case .inRange(let lo, let hi, _, _): return [value(lo), value(hi)].compactMap { $0 }
        case .oneOf(let tests), .not(let tests): return tests.flatMap(constants)
        }
    }
}
