import Foundation
import MashSyntax
import MashCore
import Testing

@Suite struct ParserTests {
    static let expressions: [(String, String)] = [
        ("1 + 2 * 3", "(+ 1 (* 2 3))"),
        ("(1 + 2) * 3", "(* (+ 1 2) 3)"),
        ("a and b or c", "(or (and a b) c)"),
        ("a or b and c", "(or a (and b c))"),
        ("not(a) and b", "(and (not a) b)"),
        ("child.age_months < 6", "(< (. child age_months) 6)"),
        ("-x.y", "(neg (. x y))"),
        ("x in [0..4]", "(in x (range [ 0 4 ]))"),
        ("x in (0..4]", "(in x (range ( 0 4 ]))"),
        ("x in ]0..4[", "(in x (range ( 0 4 )))"),
        ("x in (\"a\", \"b\")", "(in x (list \"a\" \"b\"))"),
        ("x between 1 and 5", "(between x 1 5)"),
        ("x between 1 and 5 and y", "(and (between x 1 5) y)"),
        ("if a then 1 else 2", "(if a 1 2)"),
        ("some c in r.concerns satisfies c.category = \"neglect\"", "(some ((c (. r concerns))) (= (. c category) \"neglect\"))"),
        ("every a in xs, b in ys satisfies a < b", "(every ((a xs) (b ys)) (< a b))"),
        ("xs[kind = \"police\"]", "([] xs (= kind \"police\"))"),
        ("xs[1].kind", "(. ([] xs 1) kind)"),
        ("string length(name) > 3", "(> (call \"string length\" name) 3)"),
        ("date and time(\"2026-01-01T00:00:00Z\")", "(call \"date and time\" \"2026-01-01T00:00:00Z\")"),
        ("years and months duration(a, b) < duration(\"P6M\")",
         "(< (call \"years and months duration\" a b) (call \"duration\" \"P6M\"))"),
        ("a - b - c", "(- (- a b) c)"),
        ("2 ** 3", "(** 2 3)"),
        (".5 + 1.25", "(+ .5 1.25)"),
        ("x != null", "(!= x null)"),
        ("[]", "(list)"),
        ("count(xs) >= 2", "(>= (call \"count\" xs) 2)"),
        ("\"a \\\"quoted\\\" word\"", "\"a \"quoted\" word\""),
        ("@\"2026-03-02\" < @\"P1D\"", "(< (call \"date\" \"2026-03-02\") (call \"duration\" \"P1D\"))"),
        ("@\"2026-03-02T09:00:00Z\"", "(call \"date and time\" \"2026-03-02T09:00:00Z\")"),
    ]

    @Test(arguments: expressions)
    func parsesExpression(_ source: String, _ expected: String) {
        let (expr, diagnostics) = Parser.parseExpression(SourceFile(path: "e", text: source))
        #expect(diagnostics.isEmpty, "\(diagnostics)")
        #expect(expr.map(SyntaxDump.expression) == expected)
    }

    @Test func spansCoverTheirText() throws {
        let text = "child.age_months < 6 and x"
        let file = SourceFile(path: "e", text: text)
        let expr = try #require(Parser.parseExpression(file).0)
        guard case .binary(.and, let left, let right) = expr.kind else { Issue.record("not an and"); return }
        #expect(file.text(of: left.span) == "child.age_months < 6")
        #expect(file.text(of: right.span) == "x")
        #expect(file.text(of: expr.span) == text)
    }

    @Test func continuesConditionsOntoLinesStartingWithAndOr() throws {
        let source = """
            rule r "R"
              when a = 1
                and b = 2
                or c
              then level x
              because "why"
            """
        let result = Parser.parse(SourceFile(path: "f.mash", text: source))
        #expect(result.diagnostics.isEmpty)
        #expect(SyntaxDump.file(result.file) == "(rule r \"R\" (or (and (= a 1) (= b 2)) c) level=x \"why\")")
    }

    @Test func recoversAndReportsEveryBrokenDeclaration() {
        let source = """
            rule one "One"
              when a = 1
              level x
              because "no then"

            rule two "Two"
              when b =
              then level x
              because "no right-hand side"

            rule three "Three"
              when c = 3
              then level x
              because "fine"

            table t "T" hit sometimes
              a || level
            """
        let result = Parser.parse(SourceFile(path: "f.mash", text: source))
        #expect(result.diagnostics.map(\.code) == ["missing-then", "expected-expression", "unknown-hit-policy"])
        // The good rule in the middle still parses.
        #expect(result.file.declarations.count == 1)
    }

    @Test func keepsCommentsWithTheirPlace() {
        let source = "# heading\nlet a = 1  # trailing\n"
        let result = Parser.parse(SourceFile(path: "f.mash", text: source))
        #expect(result.file.comments.map(\.text) == ["# heading", "# trailing"])
        #expect(result.file.comments.map(\.ownLine) == [true, false])
    }

    @Test func decisionTableRowsMustMatchTheHeader() {
        let source = """
            table t "T" hit first
              a | b || level
              1 || x
            because "why"
            """
        let result = Parser.parse(SourceFile(path: "f.mash", text: source))
        #expect(result.diagnostics.map(\.code) == ["table-row-width"])
        #expect(result.diagnostics.first?.message == "this row has 1 input and 1 output, but the header has 2 and 1")
    }

    @Test func parsesTableCellTests() {
        let source = """
            table t "T" hit collect max
              a | b | c || level | because
              < 14 | [1..3], 7 | not("x", "y") || l1 | "r1"
              - | >= 2 | - || l2 | -
            because "why"
            """
        let result = Parser.parse(SourceFile(path: "f.mash", text: source))
        #expect(result.diagnostics.isEmpty)
        #expect(SyntaxDump.file(result.file)
                == "(table t \"T\" collect max when=- (a | b | c || level | because) ((< 14) | (range [ 1 3 ]),7 | (not \"x\",\"y\") || l1 | \"r1\") (- | (>= 2) | - || l2 | -) because=why)")
    }

    @Test func unterminatedTextIsReportedWhereItStarts() {
        let result = Parser.parse(SourceFile(path: "f.mash", text: "let a = \"open\n"))
        let d = result.diagnostics.first
        #expect(d?.code == "unterminated-string")
        #expect(d?.span == Span(file: "f.mash", start: 8, end: 13))
    }
}
