import Foundation

/// The pathways a new install starts with, as drafts: the Medical Director approves them before any patient is
/// enrolled.
public enum StandardPathways {
    public static let all: [PathwayTemplate] = [bunionectomy]

    static let checkInQuestions: [FormDefinition.Field] = [
        .init("pain", "Pain right now, from 0 (none) to 10 (worst)", .number, required: true, min: 0, max: 10),
        .init(
            "temperature", "Your temperature in °C, if you measured it", .number, min: 34, max: 43,
            help: "For example 37.2"),
        .init("redness", "Is redness around the incision spreading?", .yesno, required: true),
        .init("drainage", "Is fluid or pus draining from the wound?", .yesno, required: true),
        .init("notes", "Anything else you want us to know", .textarea, maxLength: 1000),
    ]

    static let checkInFlags: [RedFlagRule] = [
        .init("Fever", .atLeast, question: "temperature", value: "38.0"),
        .init("Increasing pain", .increased, question: "pain"),
        .init("Spreading redness", .answerIs, question: "redness", value: "yes"),
        .init("Drainage", .answerIs, question: "drainage", value: "yes"),
    ]

    public static let bunionectomy = PathwayTemplate(
        code: "bunionectomy-post-op",
        title: "Bunionectomy: after your surgery",
        triggerProcedures: ["28296", "28292", "28297", "28298", "28299"],
        redFlagAdvice:
            "Thank you. Your answers suggest your foot needs to be seen: a member of your care team will call you "
            + "today. "
            + "If you have a high fever, chest pain or trouble breathing, call 911.",
        steps: [
            PathwayStep(
                key: "day1-check-in", kind: .checkIn, day: 1, at: "09:00", title: "Day 1 check-in",
                text:
                    "How is your foot the day after surgery? Keep the dressing dry and your foot raised. Please "
                    + "answer four short questions.",
                questions: checkInQuestions, redFlags: checkInFlags, escalateAfterHours: 8),
            PathwayStep(
                key: "day3-check-in", kind: .checkIn, day: 3, at: "09:00", title: "Day 3 check-in",
                text: "Three days after surgery: please tell us how your foot is doing.",
                questions: checkInQuestions, redFlags: checkInFlags, escalateAfterHours: 8),
            PathwayStep(
                key: "day3-photo", kind: .photoPrompt, day: 3, at: "10:00", title: "Day 3 wound photo",
                text:
                    "Please take a photo of the incision in good light, with the dressing removed only if your care "
                    + "team told you to.",
                redFlags: [.init("Photo not received", .notReceived)], escalateAfterHours: 24),
            PathwayStep(
                key: "day10-photo", kind: .photoPrompt, day: 10, at: "10:00", title: "Day 10 wound photo",
                text: "Ten days after surgery: please send a photo of the incision so we can check how it is healing.",
                redFlags: [.init("Photo not received", .notReceived)], escalateAfterHours: 24),
            PathwayStep(
                key: "day14-follow-up", kind: .followUp, day: 14, at: "09:00", title: "Your two-week follow-up visit",
                text:
                    "It is time to book your follow-up visit, about two weeks after surgery. Choose one of the "
                    + "times below.",
                appointmentTypeCode: "FU", windowDays: 2),
        ])
}
