import Vapor
import Fluent
import Domain
import Accounts
import AppCore
import Jobs
import Locations
import Patients
import Scheduling

/// What the pathway store returns and takes.
extension PathwayStore {
    package struct TemplateSummary: Content {
        package let id: UUID
        package let code: String
        package let version: Int
        package let status: PathwayTemplateStatus
        package let title: String
        package let createdAt: Date
        package let createdBy: String
        package let approvedAt: Date?
        package let approvedBy: String?
    }

    /// A step exactly as the patient will receive it (the approval page shows these).
    package struct StepPreview: Content {
        package let key: String
        package let kind: PathwayStep.Kind
        package let kindLabel: String
        package let day: Int
        package let at: String
        package let channels: [String]
        package let notificationSubject: String
        package let notificationText: String
        package let title: String
        package let text: String
        package let questions: [FormDefinition.Field]
        package let redFlags: [String]
        package let escalateAfterHours: Int?
    }

    package struct TemplateDTO: Content {
        package let summary: TemplateSummary
        package let template: PathwayTemplate
        package let preview: [StepPreview]
    }

    package struct ProcedureInput: Content {
        package var code: String?
        package var name: String?
        package var performedOn: String?
        package var locationId: UUID?
        package var providerId: UUID?
    }
    package struct EnrolInput: Content {
        package var templateCode: String?
        package var startDay: String?
        package var locationId: UUID?
        package var providerId: UUID?

        package init(
            templateCode: String? = nil, startDay: String? = nil, locationId: UUID? = nil, providerId: UUID? = nil
        ) {
            self.templateCode = templateCode
            self.startDay = startDay
            self.locationId = locationId
            self.providerId = providerId
        }
    }

    package struct ScheduledStep: Content {
        package let key: String
        package let kind: PathwayStep.Kind
        package let title: String
        package let fireAt: Date
        package let status: String
    }

    package struct EnrolmentDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let templateCode: String
        package let templateVersion: Int
        package let title: String
        package let startDay: String
        package let status: EnrolmentStatus
        package let steps: [ScheduledStep]
    }

    package struct ProcedureDTO: Content {
        package let id: UUID
        package let code: String
        package let name: String
        package let performedOn: String
        package let enrolment: EnrolmentDTO?
    }

    package struct TaskDTO: Content {
        package let id: UUID
        package let enrolmentId: UUID
        package let stepKey: String
        package let kind: PathwayStep.Kind
        package let title: String
        package let text: String
        package let status: PathwayTaskStatus
        package let openedAt: Date
        package let completedAt: Date?
        package let questions: [FormDefinition.Field]
        package let answers: [String: String]?
        /// Staff only.
        package let redFlags: [String]?
        package let offers: [SchedulingStore.Slot]
        package let photoId: UUID?
        package let appointmentId: UUID?
    }

    package struct AnswerResult: Content {
        package let task: TaskDTO
        /// What the patient reads when a red flag was raised (the approved advice), else nil.
        package let advice: String?
    }

    package struct CareTaskDTO: Content {
        package let id: UUID
        package let patientId: UUID
        package let patientName: String?
        package let kind: CareTaskKind
        package let urgent: Bool
        package let team: CareTeam
        package let summary: String
        package let status: CareTaskStatus
        package let createdAt: Date
        package let closedBy: String?
    }

    package struct ChartSummary: Sendable {
        package let enrolments: [EnrolmentDTO]
        package let tasks: [TaskDTO]
        package let urgent: [CareTaskDTO]
    }
}
