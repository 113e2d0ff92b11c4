import Foundation

/// What the server-drawn charts (wound trends, the ops dashboard) share.
enum SVGDrawing {
    /// 1, 2, 2.5, 5 × 10ⁿ at or above `v`, for round scale marks.
    static func niceCeiling(_ v: Double) -> Double {
        guard v > 0 else { return 1 }
        let exp = pow(10, floor(log10(v)))
        for m in [1.0, 2, 2.5, 5, 10] where m * exp >= v { return m * exp }
        return 10 * exp
    }

    /// Text and attribute values inside the SVG.
    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
