import XCTest

@testable import Domain

/// The load test's pure rules: arrivals from rates and bursts (an open model), the scenario's own checks, the
/// thresholds' judgement, the exit codes and the knee's steps.
final class LoadScenarioTests: XCTestCase {
    func test_arrivals_followTheRateAndTheBurst_andScaleMultipliesThem() {
        let s = LoadScenario.busyMorning
        // 6 check-ins a minute, ×4 for the first 15 % of the run: over 10 minutes, 8.5 × 6 + 1.5 × 24 = 87.
        let checkIns = s.arrivals(.checkIn, seconds: 600, scale: 1)
        XCTAssertEqual(checkIns.count, 87, accuracy: 1)
        XCTAssertEqual(checkIns.filter { $0 < 90 }.count, 36, accuracy: 1, "the 08:00 rush")
        XCTAssertEqual(s.arrivals(.checkIn, seconds: 600, scale: 3).count, 261, accuracy: 2)
        XCTAssertEqual(s.arrivals(.chart, seconds: 60, scale: 1).count, 30, accuracy: 1)
        XCTAssertEqual(checkIns, checkIns.sorted(), "due in time order")
        XCTAssertEqual(checkIns, s.arrivals(.checkIn, seconds: 600, scale: 1), "the same for every run")
        XCTAssertEqual(s.rate(.checkIn, at: 0.05, scale: 2), 6 * 4 * 2 / 60, accuracy: 1e-9)
        XCTAssertEqual(s.rate(.checkIn, at: 0.5, scale: 2), 6 * 2 / 60, accuracy: 1e-9)
        var none = s
        none.rates.removeAll { $0.flow == .video }
        XCTAssertTrue(none.arrivals(.video, seconds: 600, scale: 1).isEmpty)
    }

    func test_aScenarioFile_saysWhatIsWrongWithIt() {
        XCTAssertEqual(LoadScenario.busyMorning.problems, [])
        var s = LoadScenario.busyMorning
        s.name = " "
        s.minutes = 0
        s.rates.append(.init(flow: .chart, perMinute: -1))
        s.bursts.append(.init(flow: .upload, label: "late", from: 0.95, length: 0.2, multiplier: 2))
        let p = s.problems
        XCTAssertTrue(p.contains("name is empty"), "\(p)")
        XCTAssertTrue(p.contains("minutes must be between 0 and 1440"), "\(p)")
        XCTAssertTrue(p.contains("chart: perMinute must be 0–100000"), "\(p)")
        XCTAssertTrue(p.contains("a flow is listed twice in rates"), "\(p)")
        XCTAssertTrue(p.contains { $0.hasPrefix("burst late") }, "\(p)")
        // As data: the built-in scenario round-trips through its JSON.
        let json = try! JSONEncoder().encode(LoadScenario.busyMorning)
        XCTAssertEqual(try! JSONDecoder().decode(LoadScenario.self, from: json), .busyMorning)
    }

    func result(
        _ flow: LoadFlow, requests: Int = 100, errors: Int = 0, p95: Double = 20, p99: Double = 40,
        due: Int = 10, missed: Int = 0
    ) -> FlowResult {
        FlowResult(
            flow: flow, due: due, started: due - missed, missed: missed, requests: requests, errors: errors,
            p50Ms: 5, p95Ms: p95, p99Ms: p99, maxMs: p99, errorSamples: errors > 0 ? ["500 GET /x"] : [])
    }

    func test_thresholds_nameTheFlowAndWhatBroke_andTheExitCodeSaysWhich() {
        let ok = [result(.chart), result(.booking)]
        XCTAssertEqual(LoadJudgement.breaches(ok, thresholds: .slo), [])
        XCTAssertEqual(LoadJudgement.exitCode([]), 0)

        let slow = [result(.chart), result(.refills, p95: 2500, p99: 2600)]
        let b = LoadJudgement.breaches(slow, thresholds: .slo)
        XCTAssertEqual(b.map(\.flow), [.refills])
        XCTAssertEqual(b.first?.kind, .latency)
        XCTAssertEqual(b.first?.text, "refills: p95 2.50 s, limit 2.00 s")
        XCTAssertEqual(LoadJudgement.exitCode(b), 2)

        let failing = [result(.upload, requests: 100, errors: 1)]
        XCTAssertEqual(LoadJudgement.breaches(failing, thresholds: .slo).first?.kind, .errors, "1 % is not under 1 %")
        XCTAssertEqual(LoadJudgement.exitCode(LoadJudgement.breaches(failing, thresholds: .slo)), 1)
        XCTAssertEqual(LoadJudgement.breaches([result(.upload, requests: 1000, errors: 1)], thresholds: .slo), [])
        XCTAssertEqual(LoadJudgement.exitCode(LoadJudgement.breaches(slow + failing, thresholds: .slo)), 3)

        // Strict: p99 under 100 ms.
        let strict = LoadJudgement.breaches([result(.chart, p95: 30, p99: 120)], thresholds: .strict)
        XCTAssertEqual(strict.map(\.detail), ["p99 120 ms, limit 100 ms"])

        // The generator fell short: missed starts, or a flow that never ran, are failures too.
        let missed = LoadJudgement.breaches([result(.video, due: 100, missed: 5)], thresholds: .slo)
        XCTAssertEqual(missed.map(\.kind), [.missed])
        XCTAssertEqual(LoadJudgement.exitCode(missed), 4)
        let idle = LoadJudgement.breaches([result(.video, requests: 0, due: 3)], thresholds: .slo)
        XCTAssertEqual(idle.map(\.kind), [.idle])
        XCTAssertEqual(LoadJudgement.exitCode(idle), 1)
    }

    func test_theKneeDoublesUntilSomethingBreaks_andPercentilesAreNearestRank() {
        XCTAssertEqual(LoadJudgement.nextScale(after: 1, held: true, maxScale: 64), 2)
        XCTAssertEqual(LoadJudgement.nextScale(after: 32, held: true, maxScale: 64), 64)
        XCTAssertNil(LoadJudgement.nextScale(after: 64, held: true, maxScale: 64))
        XCTAssertNil(LoadJudgement.nextScale(after: 4, held: false, maxScale: 64))
        let xs = (1...100).map(Double.init)
        XCTAssertEqual(LoadJudgement.percentile(xs, 95), 95)
        XCTAssertEqual(LoadJudgement.percentile(xs, 99), 99)
        XCTAssertEqual(LoadJudgement.percentile(xs, 100), 100)
        XCTAssertEqual(LoadJudgement.percentile([], 95), 0)
        XCTAssertEqual(LoadFigures.percent(0.001), "0.10 %")
        XCTAssertEqual(LoadFigures.ms(2000), "2.00 s")
    }
}
