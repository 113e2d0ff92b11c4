import Foundation

/// The named places on a foot where a wound is recorded, with where each sits on the picker's diagram (a right foot
/// seen from below, in a 200 × 400 box; a left foot is its mirror image).
public enum FootSites {
    public struct Site: Equatable, Sendable {
        public let name: String
        public let x: Double
        public let y: Double
    }

    public static let all: [Site] = [
        Site(name: "Hallux (big toe)", x: 60, y: 66),
        Site(name: "2nd to 4th toes", x: 112, y: 58),
        Site(name: "5th toe", x: 160, y: 92),
        Site(name: "1st metatarsal head (ball of foot, inside)", x: 66, y: 128),
        Site(name: "2nd to 4th metatarsal heads (ball of foot)", x: 112, y: 136),
        Site(name: "5th metatarsal head (ball of foot, outside)", x: 152, y: 156),
        Site(name: "Arch (midfoot, inside)", x: 72, y: 220),
        Site(name: "Midfoot, outside", x: 142, y: 226),
        Site(name: "Heel (underneath)", x: 104, y: 330),
        Site(name: "Back of the heel", x: 104, y: 384),
        Site(name: "Top of the foot", x: 176, y: 270),
        Site(name: "Ankle, inside", x: 24, y: 300),
        Site(name: "Ankle, outside", x: 184, y: 330),
        Site(name: "Toenail", x: 60, y: 34),
    ]

    public static func isNamed(_ text: String) -> Bool { all.contains { $0.name == text } }
}

/// A wound's size over time, from the photos that were measured: length × width and the area of that rectangle.
public enum WoundTrend {
    public struct Point: Equatable, Sendable {
        /// The local day the photo was taken (YYYY-MM-DD).
        public let day: String
        public let at: Date
        public let lengthMm: Double
        public let widthMm: Double
        public var areaMm2: Double { lengthMm * widthMm }

        public init(day: String, at: Date, lengthMm: Double, widthMm: Double) {
            self.day = day
            self.at = at
            self.lengthMm = lengthMm
            self.widthMm = widthMm
        }
    }

    /// The change of area from the first measured photo to the last, in percent (negative: smaller), or nil when
    /// fewer than two photos were measured or the first had no area.
    public static func areaChange(_ points: [Point]) -> Double? {
        guard points.count >= 2, let first = points.first, let last = points.last, first.areaMm2 > 0 else {
            return nil
        }
        return (last.areaMm2 - first.areaMm2) / first.areaMm2 * 100
    }

    /// "Area 42 % smaller than on 2026-10-01 (4 weeks)": the words a clinician reads first.
    public static func summary(_ points: [Point]) -> String? {
        guard let change = areaChange(points), let first = points.first, let last = points.last else { return nil }
        let weeks = Int((last.at.timeIntervalSince(first.at) / (7 * 86400)).rounded())
        let span = weeks >= 1 ? " (\(weeks) week\(weeks == 1 ? "" : "s"))" : ""
        let pct = Int(abs(change).rounded())
        if pct == 0 { return "Area unchanged since \(first.day)\(span)." }
        return "Area \(pct) % \(change < 0 ? "smaller" : "larger") than on \(first.day)\(span)."
    }

    /// A server-drawn chart: area (mm², the line with dots, left scale) over time, with length and width (mm, thin
    /// lines, right scale). Only numbers and the dates we format go into it. Nil for fewer than one point.
    public static func svg(_ points: [Point], title: String) -> String? {
        guard !points.isEmpty else { return nil }
        let w = 600.0, h = 260.0, left = 56.0, right = 48.0, top = 20.0, bottom = 40.0
        let plotW = w - left - right, plotH = h - top - bottom
        let t0 = points.first!.at.timeIntervalSince1970
        let span = max(points.last!.at.timeIntervalSince1970 - t0, 1)
        func x(_ p: Point) -> Double {
            points.count == 1 ? left + plotW / 2 : left + (p.at.timeIntervalSince1970 - t0) / span * plotW
        }
        let maxArea = niceCeiling(points.map(\.areaMm2).max() ?? 1)
        let maxMm = niceCeiling(points.map { max($0.lengthMm, $0.widthMm) }.max() ?? 1)
        func yArea(_ v: Double) -> Double { top + plotH - v / maxArea * plotH }
        func yMm(_ v: Double) -> Double { top + plotH - v / maxMm * plotH }
        func f(_ v: Double) -> String { String(format: "%.1f", v) }
        func line(_ values: (Point) -> Double, _ y: (Double) -> Double) -> String {
            points.map { "\(f(x($0))),\(f(y(values($0))))" }.joined(separator: " ")
        }
        var s = """
            <svg class="trend" viewBox="0 0 \(Int(w)) \(Int(h))" role="img" aria-label="\(escape(title))" \
            xmlns="http://www.w3.org/2000/svg"><title>\(escape(title))</title>
            """
        for i in 0...4 {
            let v = maxArea * Double(i) / 4, y = yArea(v)
            s += "<line x1=\"\(f(left))\" x2=\"\(f(w - right))\" y1=\"\(f(y))\" y2=\"\(f(y))\" stroke=\"#d8dee6\"/>"
            s += "<text x=\"\(f(left - 6))\" y=\"\(f(y + 4))\" text-anchor=\"end\" font-size=\"11\">\(plain(v))</text>"
            s +=
                "<text x=\"\(f(w - right + 6))\" y=\"\(f(y + 4))\" font-size=\"11\" fill=\"#6b7785\">"
                + "\(plain(maxMm * Double(i) / 4))</text>"
        }
        s += "<text x=\"4\" y=\"12\" font-size=\"11\">mm²</text>"
        s += "<text x=\"\(f(w - right + 6))\" y=\"12\" font-size=\"11\" fill=\"#6b7785\">mm</text>"
        func polyline(_ style: String, _ points: String) -> String {
            "<polyline fill=\"none\" \(style) points=\"\(points)\"/>"
        }
        s += polyline("stroke=\"#9aa7b5\" stroke-dasharray=\"4 3\"", line({ $0.lengthMm }, yMm))
        s += polyline("stroke=\"#c7a25a\" stroke-dasharray=\"2 3\"", line({ $0.widthMm }, yMm))
        s += polyline("stroke=\"#0b4f6c\" stroke-width=\"2.5\"", line({ $0.areaMm2 }, yArea))
        for (i, p) in points.enumerated() {
            s +=
                "<circle cx=\"\(f(x(p)))\" cy=\"\(f(yArea(p.areaMm2)))\" r=\"4\" fill=\"#0b4f6c\"><title>\(p.day): "
                + "\(plain(p.lengthMm)) × \(plain(p.widthMm)) mm, \(plain(p.areaMm2)) mm²</title></circle>"
            // Date labels: the first, the last, and those with room between them.
            if i == 0 || i == points.count - 1 || points.count <= 6 {
                let anchor =
                    i == 0 && points.count > 1 ? "start" : i == points.count - 1 && points.count > 1 ? "end" : "middle"
                s +=
                    "<text x=\"\(f(x(p)))\" y=\"\(f(h - bottom + 18))\" text-anchor=\"\(anchor)\" font-size=\"11\">"
                    + "\(escape(String(p.day.dropFirst(5))))</text>"
            }
        }
        s += "<text x=\"\(f(left))\" y=\"\(f(h - 4))\" font-size=\"11\" fill=\"#0b4f6c\">━ area</text>"
        s += "<text x=\"\(f(left + 70))\" y=\"\(f(h - 4))\" font-size=\"11\" fill=\"#6b7785\">┅ length</text>"
        s += "<text x=\"\(f(left + 150))\" y=\"\(f(h - 4))\" font-size=\"11\" fill=\"#a07a2a\">┅ width</text>"
        return s + "</svg>"
    }

    static func niceCeiling(_ v: Double) -> Double { SVGDrawing.niceCeiling(v) }

    static func plain(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    static func escape(_ s: String) -> String { SVGDrawing.escape(s) }
}
