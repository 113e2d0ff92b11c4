import Foundation

/// What a synthetic user does in one iteration of a flow (each a sequence of requests, as the person would make them).
public enum LoadFlow: String, Codable, CaseIterable, Sendable, Comparable {
    /// Front desk: find a free time, book, move it, cancel it (both locations).
    case booking
    /// Front desk: a patient arrives (today's appointment marked arrived).
    case checkIn = "check-in"
    /// Patient: sign in to the portal (the real form) and open its home page.
    case portal
    /// Patient: fill in and submit the diabetic-foot intake form.
    case intake
    /// Patient: a wound photo (a real JPEG with EXIF, several MB) through tus, in chunks.
    case upload
    /// Patient sends a secure message; the practice reads its inbox and the thread.
    case message
    /// Video visit: waiting room, admit, offer/answer, candidates, heartbeats for the visit's length, end.
    case video
    /// Clinician: a chart read (the patient, the clinical summary).
    case chart
    /// Prescriber: draft, sign, and the pharmacy's answer.
    case prescription
    /// Prescriber: the refill queue.
    case refills

    public static func < (a: LoadFlow, b: LoadFlow) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}

/// The practice's operating model as data: how often each flow starts, when the bursts come, how big the cohort is.
/// Rates are at scale 1; `--scale N` multiplies every rate (and the cohort).
public struct LoadScenario: Codable, Sendable, Equatable {
    public struct Rate: Codable, Sendable, Equatable {
        public var flow: LoadFlow
        /// Iterations started per minute at scale 1.
        public var perMinute: Double

        public init(flow: LoadFlow, perMinute: Double) {
            self.flow = flow
            self.perMinute = perMinute
        }
    }

    /// A stretch of the run where one flow comes faster (the 08:00 check-in rush, the upload burst after post-op days).
    public struct Burst: Codable, Sendable, Equatable {
        public var flow: LoadFlow
        public var label: String
        /// Where the burst starts and how long it lasts, as fractions of the run (a 10-minute run and a 2-hour run
        /// both get their rush).
        public var from: Double
        public var length: Double
        public var multiplier: Double

        public init(flow: LoadFlow, label: String, from: Double, length: Double, multiplier: Double) {
            self.flow = flow
            self.label = label
            self.from = from
            self.length = length
            self.multiplier = multiplier
        }
    }

    public var name: String
    public var description: String
    /// The run's length when `--duration` is not given.
    public var minutes: Double
    /// Synthetic providers at each of the practice's locations, and synthetic patients, at scale 1.
    public var providersPerLocation: Int
    public var patients: Int
    /// How long a video visit stays connected (heartbeats every few seconds), and the share of visits by video.
    public var visitSeconds: Double
    public var uploadBytes: Int
    public var rates: [Rate]
    public var bursts: [Burst]

    public init(
        name: String, description: String, minutes: Double, providersPerLocation: Int, patients: Int,
        visitSeconds: Double, uploadBytes: Int, rates: [Rate], bursts: [Burst]
    ) {
        self.name = name
        self.description = description
        self.minutes = minutes
        self.providersPerLocation = providersPerLocation
        self.patients = patients
        self.visitSeconds = visitSeconds
        self.uploadBytes = uploadBytes
        self.rates = rates
        self.bursts = bursts
    }

    /// A two-location podiatry practice's morning: three providers per location seeing a patient every 15–20
    /// minutes, a third of them by video; the 08:00 check-in rush; wound photos from last week's post-op patients in a
    /// burst mid-morning; portal sign-ins and messages all along. Per minute at scale 1.
    public static let busyMorning = LoadScenario(
        name: "busy-morning",
        description:
            "Two-location podiatry practice, 08:00–12:00: check-in rush at the start, a third of visits by video, "
            + "a wound-photo burst mid-morning.",
        minutes: 10, providersPerLocation: 3, patients: 60, visitSeconds: 30, uploadBytes: 3_000_000,
        rates: [
            Rate(flow: .booking, perMinute: 6),
            Rate(flow: .checkIn, perMinute: 6),
            Rate(flow: .portal, perMinute: 12),
            Rate(flow: .intake, perMinute: 3),
            Rate(flow: .upload, perMinute: 2),
            Rate(flow: .message, perMinute: 4),
            Rate(flow: .video, perMinute: 2),
            Rate(flow: .chart, perMinute: 30),
            Rate(flow: .prescription, perMinute: 2),
            Rate(flow: .refills, perMinute: 3),
        ],
        bursts: [
            Burst(flow: .checkIn, label: "08:00 check-in rush", from: 0, length: 0.15, multiplier: 4),
            Burst(flow: .portal, label: "08:00 check-in rush", from: 0, length: 0.15, multiplier: 2),
            Burst(flow: .upload, label: "post-op photo burst", from: 0.5, length: 0.1, multiplier: 5),
        ])

    public static let builtIn: [String: LoadScenario] = [busyMorning.name: busyMorning]

    /// What is wrong with a scenario file, in words; empty when it can run.
    public var problems: [String] {
        var out: [String] = []
        if name.trimmingCharacters(in: .whitespaces).isEmpty { out.append("name is empty") }
        if !(minutes > 0 && minutes <= 24 * 60) { out.append("minutes must be between 0 and 1440") }
        if !(1...50).contains(providersPerLocation) { out.append("providersPerLocation must be 1–50") }
        if !(1...10_000).contains(patients) { out.append("patients must be 1–10000") }
        if !(visitSeconds >= 1 && visitSeconds <= 3600) { out.append("visitSeconds must be 1–3600") }
        if !(1_000...50_000_000).contains(uploadBytes) { out.append("uploadBytes must be 1000–50000000") }
        if rates.isEmpty { out.append("rates is empty: no flow would run") }
        for r in rates where !(r.perMinute >= 0 && r.perMinute <= 100_000) {
            out.append("\(r.flow.rawValue): perMinute must be 0–100000")
        }
        if Set(rates.map(\.flow)).count != rates.count { out.append("a flow is listed twice in rates") }
        for b in bursts {
            if !(b.from >= 0 && b.from < 1 && b.length > 0 && b.from + b.length <= 1.0001) {
                out.append("burst \(b.label): from and length are fractions of the run (0–1)")
            }
            if !(b.multiplier > 0 && b.multiplier <= 100) { out.append("burst \(b.label): multiplier must be 0–100") }
        }
        return out
    }

    /// Iterations per second of a flow at a moment of the run (a fraction 0–1), at a scale.
    public func rate(_ flow: LoadFlow, at fraction: Double, scale: Double) -> Double {
        guard let base = rates.first(where: { $0.flow == flow })?.perMinute else { return 0 }
        var m = 1.0
        for b in bursts where b.flow == flow && fraction >= b.from && fraction < b.from + b.length { m *= b.multiplier }
        return base * m * scale / 60
    }

    /// When each iteration of a flow is due, in seconds from the start: the rate integrated over the run, one arrival
    /// each time the expected count passes a whole number (evenly spread, the same for every run of the scenario).
    /// An open model: arrivals do not wait for earlier iterations to finish.
    public func arrivals(_ flow: LoadFlow, seconds: Double, scale: Double) -> [Double] {
        var out: [Double] = []
        var expected = 0.5  // the first arrival half an interval in, not at 0
        var t = 0.0
        let step = 0.05
        while t < seconds {
            expected += rate(flow, at: t / seconds, scale: scale) * step
            while expected >= 1 {
                out.append(t)
                expected -= 1
            }
            t += step
        }
        return out
    }
}
