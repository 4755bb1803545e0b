import Foundation
import Mash

/// A self-contained HTML report of a dry-run: no network, no scripts; charts are inline SVG.
/// Every chart element carries its numbers in `data-` attributes, so tools (and the tests) can read
/// them back and compare them with the JSON report.
public enum DryRunHTML {
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    public static func render(_ r: DryRunReport, examples: Int = 50) -> String {
        var h = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>Dry run: \(escape(r.baseline.name)) \(escape(r.baseline.version)) → \(escape(r.candidate.version))</title>
            <style>
            body{font-family:system-ui,-apple-system,"Segoe UI",Arial,sans-serif;margin:2rem auto;max-width:70rem;color:#1b1b1b;padding:0 1rem}
            h1{font-size:1.5rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #ccc}
            .numbers{display:flex;gap:1rem;flex-wrap:wrap}.numbers div{border:1px solid #ccc;border-radius:6px;padding:.6rem 1rem}
            .numbers b{display:block;font-size:1.6rem}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.25rem .6rem;text-align:right}
            th{background:#f3f3f3}td.l,th.l{text-align:left}pre{background:#f7f7f7;padding:.6rem;overflow-x:auto;font-size:.8rem;white-space:pre-wrap}
            .pair{display:grid;grid-template-columns:1fr 1fr;gap:1rem}.small{color:#555;font-size:.85rem}
            </style></head><body>
            <h1>What would change: “\(escape(r.candidate.name))” \(escape(r.candidate.version)) against \(escape(r.baseline.version))</h1>
            <p class="small">Baseline \(escape(r.baseline.version)) (\(escape(String(r.baseline.hash.prefix(19))))…), candidate \(escape(r.candidate.version)) (\(escape(String(r.candidate.hash.prefix(19))))…), evaluated at \(escape(r.evaluatedAt)). All referrals are synthetic unless you supplied your own.</p>
            <div class="numbers">
            <div id="referrals" data-value="\(r.referrals)">Referrals<b>\(r.referrals)</b></div>
            <div id="changed" data-value="\(r.changed)">Change<b>\(r.changed)</b></div>
            <div id="level-changed" data-value="\(r.levelChanged)">Level changes<b>\(r.levelChanged)</b></div>
            <div id="rating-changed" data-value="\(r.ratingChanged)">Rating changes<b>\(r.ratingChanged)</b></div>
            <div id="route-changed" data-value="\(r.routeChanged)">Route changes<b>\(r.routeChanged)</b></div>
            </div>

            """
        h += "<h2>Level of need: before (rows) and after (columns)</h2>\n" + matrix(r)
        h += "<h2>Red referrals per week</h2>\n" + weekly(r.workload)
        let w = r.workload
        h += "<p>Red referrals: \(w.redBefore) → \(w.redAfter) (\(w.redPerWeekBefore) → \(w.redPerWeekAfter) a week); received out of hours: \(w.redOutOfHoursPercentBefore)% → \(w.redOutOfHoursPercentAfter)%.</p>\n"
        if !r.ratingChanges.isEmpty || !r.routeChanges.isEmpty {
            h += "<h2>Rating and route changes</h2>\n<table id=\"changes\"><tr><th class=\"l\">change</th><th>referrals</th></tr>\n"
            for c in r.ratingChanges { h += "<tr><td class=\"l\">rating \(escape(c.change))</td><td>\(c.referrals)</td></tr>\n" }
            for c in r.routeChanges { h += "<tr><td class=\"l\">route \(escape(c.change))</td><td>\(c.referrals)</td></tr>\n" }
            h += "</table>\n"
        }
        if !r.causes.isEmpty {
            h += "<h2>Rules behind the changes</h2>\n<table id=\"causes\"><tr><th class=\"l\">rule</th><th class=\"l\">title</th><th>referrals moved</th></tr>\n"
            for c in r.causes { h += "<tr data-rule=\"\(escape(c.rule))\" data-referrals=\"\(c.referrals)\"><td class=\"l\">\(escape(c.rule))</td><td class=\"l\">\(escape(c.title))</td><td>\(c.referrals)</td></tr>\n" }
            h += "</table>\n"
        }
        if !r.changes.isEmpty {
            h += "<h2>Changed referrals (\(min(examples, r.changes.count)) of \(r.changes.count))</h2>\n"
            for c in r.changes.prefix(examples) {
                h += "<details><summary>\(escape(c.id)): \(escape(c.before.level)) → \(escape(c.after.level))</summary><div class=\"pair\">"
                h += "<div><b>Before</b><pre>\(escape(c.explanationBefore))</pre></div><div><b>After</b><pre>\(escape(c.explanationAfter))</pre></div></div></details>\n"
            }
        }
        return h + "</body></html>\n"
    }

    static func matrix(_ r: DryRunReport) -> String {
        let n = r.levels.count, cell = 120, label = 130, top = 30
        let width = label + n * cell, height = top + n * cell
        let maximum = max(1, r.transitions.flatMap { $0 }.max() ?? 1)
        var s = "<svg id=\"transition-matrix\" role=\"img\" aria-label=\"Level transition matrix\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        for (j, name) in r.levels.enumerated() {
            s += "<text x=\"\(label + j * cell + cell / 2)\" y=\"\(top - 10)\" font-size=\"12\" text-anchor=\"middle\">\(escape(name))</text>\n"
        }
        for (i, row) in r.transitions.enumerated() {
            s += "<text x=\"\(label - 8)\" y=\"\(top + i * cell + cell / 2 + 4)\" font-size=\"12\" text-anchor=\"end\">\(escape(r.levels[i]))</text>\n"
            for (j, count) in row.enumerated() {
                let intensity = count == 0 ? 0 : 0.15 + 0.85 * Double(count) / Double(maximum)
                let colour = i == j ? "rgba(70,110,160,\(String(format: "%.2f", intensity)))" : "rgba(200,80,40,\(String(format: "%.2f", max(intensity, count > 0 ? 0.5 : 0))))"
                s += "<rect class=\"cell\" data-from=\"\(escape(r.levels[i]))\" data-to=\"\(escape(r.levels[j]))\" data-count=\"\(count)\" x=\"\(label + j * cell)\" y=\"\(top + i * cell)\" width=\"\(cell)\" height=\"\(cell)\" fill=\"\(colour)\" stroke=\"#fff\"/>\n"
                s += "<text x=\"\(label + j * cell + cell / 2)\" y=\"\(top + i * cell + cell / 2 + 5)\" font-size=\"15\" text-anchor=\"middle\">\(count)</text>\n"
            }
        }
        return s + "</svg>\n"
    }

    static func weekly(_ w: DryRunReport.Workload) -> String {
        let width = 900, height = 260, left = 50, bottom = 30, top = 10
        let maximum = max(1, w.weeks.map { max($0.redBefore, $0.redAfter) }.max() ?? 1)
        let step = w.weeks.count > 1 ? Double(width - left - 10) / Double(w.weeks.count - 1) : 0
        func x(_ i: Int) -> Double { Double(left) + step * Double(i) }
        func y(_ v: Int) -> Double { Double(height - bottom) - Double(height - bottom - top) * Double(v) / Double(maximum) }
        var s = "<svg id=\"weekly-red\" role=\"img\" aria-label=\"Red referrals per week, before and after\" width=\"\(width)\" height=\"\(height)\" viewBox=\"0 0 \(width) \(height)\">\n"
        s += "<line x1=\"\(left)\" y1=\"\(height - bottom)\" x2=\"\(width - 10)\" y2=\"\(height - bottom)\" stroke=\"#999\"/>\n"
        s += "<text x=\"\(left - 6)\" y=\"\(top + 10)\" font-size=\"11\" text-anchor=\"end\">\(maximum)</text><text x=\"\(left - 6)\" y=\"\(height - bottom)\" font-size=\"11\" text-anchor=\"end\">0</text>\n"
        // "Before" is drawn wide and dashed under "after", so both show where they are equal.
        for (name, colour, dash, values) in [("before", "#466ea0", "6 4", w.weeks.map(\.redBefore)), ("after", "#c85028", "none", w.weeks.map(\.redAfter))] {
            let points = values.enumerated().map { String(format: "%.1f,%.1f", x($0.offset), y($0.element)) }.joined(separator: " ")
            let stroke = name == "before" ? 4 : 1.5
            s += "<polyline class=\"series\" data-series=\"\(name)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(stroke)\" stroke-dasharray=\"\(dash)\" points=\"\(points)\"/>\n"
        }
        for (i, week) in w.weeks.enumerated() {
            s += "<circle class=\"week\" data-week=\"\(week.start)\" data-before=\"\(week.redBefore)\" data-after=\"\(week.redAfter)\" cx=\"\(String(format: "%.1f", x(i)))\" cy=\"\(String(format: "%.1f", y(week.redAfter)))\" r=\"2\" fill=\"#c85028\"><title>week of \(week.start): \(week.redBefore) before, \(week.redAfter) after</title></circle>\n"
        }
        if let first = w.weeks.first, let last = w.weeks.last {
            s += "<text x=\"\(left)\" y=\"\(height - 8)\" font-size=\"11\">\(first.start)</text><text x=\"\(width - 10)\" y=\"\(height - 8)\" font-size=\"11\" text-anchor=\"end\">\(last.start)</text>\n"
        }
        s += "<text x=\"\(width - 200)\" y=\"\(top + 12)\" font-size=\"12\" fill=\"#466ea0\">■ before</text><text x=\"\(width - 120)\" y=\"\(top + 12)\" font-size=\"12\" fill=\"#c85028\">■ after</text>\n"
        return s + "</svg>\n"
    }
}
