import Foundation
import Mash
import MashFormat
import MashSyntax
import MashTestSupport
import Testing

@Suite struct FormatterTests {
    func format(_ text: String) -> String? { Formatter.format(SourceFile(path: "f.mash", text: text)).0 }

    @Test func golden() {
        let input = """
            ruleset "T"   version "1" authority "A"
            uses schema "schema.yaml"
            # Levels of need.

            levels
              1 universal "Universal" rating green route signpost
              4 protection "Child protection" rating red route strategy   # the top
            let  a=((child.age < 1))
            let b = x in ["a","b"]
            rule r "R"
                when   (a and b) or not(c)
                then level protection,rating red
                because "why"
            table t "T" hit first
              x|y||level
              <3|-||universal
              [1..2],5|"b"||protection
              because "reasons"
            rule long "Long"
              when some c in referral.concerns satisfies c.category = "physical_injury" and c.severity = "significant" and c.unexplained = true
              then level protection
              because "why"
            # the end
            """
        let expected = """
            ruleset "T" version "1" authority "A"
            uses schema "schema.yaml"

            # Levels of need.

            levels
              1 universal  "Universal"        rating green route signpost
              4 protection "Child protection" rating red   route strategy  # the top

            let a = child.age < 1
            let b = x in ("a", "b")

            rule r "R"
              when a and b or not(c)
              then level protection, rating red
              because "why"

            table t "T" hit first
              x         | y   || level
              < 3       | -   || universal
              [1..2], 5 | "b" || protection
              because "reasons"

            rule long "Long"
              when some c in referral.concerns satisfies c.category = "physical_injury"
                and c.severity = "significant"
                and c.unexplained = true
              then level protection
              because "why"

            # the end

            """
        #expect(format(input) == expected)
    }

    @Test func keepsParenthesesThatChangeMeaning() {
        let input = "let a = (x or y) and z\nlet b = x - (y - z)\nlet c = -(x + 1)\nlet d = (if p then 1 else 2) + 1\n"
        #expect(format(input) == input)
    }

    @Test func refusesToFormatWhatDoesNotParse() {
        let (text, diagnostics) = Formatter.format(SourceFile(path: "f.mash", text: "rule r \"R\"\n  when x\n  because \"y\"\n"))
        #expect(text == nil)
        #expect(diagnostics.map(\.code) == ["missing-then"])
    }

    static let files: [String] = MashFiles.find([Repository.path("rules"), Repository.path("grammar")]).found

    @Test func thereAreFilesToFormat() { #expect(Self.files.count >= 13) }

    /// Every bundled file: already canonical, formatting twice changes nothing, and the tree is the same.
    @Test(arguments: files)
    func idempotentAndMeaningPreserving(_ path: String) throws {
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let once = try #require(format(text))
        #expect(format(once) == once)
        #expect(once == text, "\(path) is not in the canonical layout: run `mash fmt`")
        let before = Parser.parse(SourceFile(path: path, text: text)).file
        let after = Parser.parse(SourceFile(path: path, text: once)).file
        #expect(SyntaxDump.file(before) == SyntaxDump.file(after))
        #expect(before.comments.map(\.text) == after.comments.map(\.text))
    }
}
