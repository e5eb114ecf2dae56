"""Demo action plans for `make run`: each demo agency has its own active plan, with the
actions such an agency would really take under all four objectives, and its ratings and
reports for the two quarters before the current one. The Voluntary and Community Sector has
only a draft for the latest of them, so the Working Group overview shows a gap. Development
only, like the rest of the demo data.

The plans are data (PLANS, agency name → PlanSpec) read by one loader. Due dates are months
from the plan's start, so the demo stays true whatever day it is loaded.
"""

from datetime import date, datetime, time, timedelta
from typing import NamedTuple, TypeVar

from django.db import models, transaction
from django.utils import timezone

from neglect_portal import dates
from neglect_portal.demo import (
    COMMUNITY_HEALTH,
    CSC,
    EARLY_HELP,
    EDUCATION,
    MENTAL_HEALTH,
    POLICE,
    VOLUNTARY,
)
from neglect_portal.models import Agency, User
from neglect_portal.quarters import Quarter
from neglect_portal.records.history import attributed

from .demo_challenges import load_demo as load_challenge_demo
from .models import Action, ActionPlan, ActionUpdate, QuarterlyReport

M = TypeVar("M", bound=models.Model)


class Rated(NamedTuple):
    rag: str
    narrative: str
    evidence_of_impact: str = ""


class ActionSpec(NamedTuple):
    objective: str
    description: str
    owner_name: str  # a post or team
    baseline: str
    target: str
    due: int  # months from the plan's start to the end of the month it is due
    ratings: tuple[Rated, ...]  # the older quarter's, then the latest's (if rated)
    practitioner_owns: bool = False  # the agency's first demo practitioner owns it too


class Report(NamedTuple):
    what_we_did: str
    difference_for_children: str
    how_we_know: str
    challenges: str
    next_steps: str


class PlanSpec(NamedTuple):
    title: str
    signed_off_by: str
    signed_off_role: str
    months: int  # how long the plan runs
    actions: list[ActionSpec]
    reports: tuple[Report, Report]  # the older quarter's, then the latest's
    latest_submitted: bool = True  # False: the latest quarter is still a draft


PLANS: dict[str, PlanSpec] = {
    CSC: PlanSpec(
        title="Children's Social Care neglect action plan: acting sooner for children",
        signed_off_by="Helen Marsh",
        signed_off_role="Director of Children's Services",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Appoint a neglect champion in every social work team and run a champions' "
                "forum every two months",
                "Principal Social Worker",
                "Champions in 3 of 12 teams",
                "Champions in 12 of 12 teams",
                9,
                (
                    Rated(
                        "amber",
                        "Five of 12 teams have a champion; two volunteers are waiting for their "
                        "manager's agreement.",
                        "Champions list kept by the Principal Social Worker.",
                    ),
                    Rated(
                        "green",
                        "Nine of 12 teams have a champion and the first forum met in the quarter.",
                        "Champions brought six cases to the forum for advice.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Deliver the partnership's neglect e-learning to every social worker and "
                "family support worker",
                "Workforce Development Manager",
                "180 of 800 staff trained",
                "800 of 800 staff trained",
                18,
                (
                    Rated(
                        "red",
                        "No new enrolments for eight weeks while the learning platform moved "
                        "to a new supplier.",
                    ),
                    Rated(
                        "amber",
                        "Platform back in use: 310 of 800 staff have now completed the e-learning.",
                        "Learning platform completion report.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Use the neglect case discussion form in every supervision of a child on a "
                "neglect plan",
                "Heads of Service",
                "Form not used yet",
                "Form used in every supervision of a neglect case",
                5,
                (
                    Rated(
                        "amber",
                        "Form launched in two of the four service areas.",
                        "Dip sample of 20 supervision records: the form was used in 7.",
                    ),
                    Rated(
                        "amber",
                        "Used in three areas; the South area is waiting for its new team "
                        "manager to start.",
                        "Dip sample of 20 supervision records: the form was used in 12.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Complete a day in my life with every child on a neglect plan before their "
                "first review",
                "Team managers",
                "Completed for about 1 in 4 children",
                "Completed for 9 in 10 children",
                15,
                (
                    Rated(
                        "amber",
                        "Social workers say the tool takes too long; a shorter guide was "
                        "written with the champions.",
                    ),
                    Rated(
                        "green",
                        "Completed for 6 in 10 children after the shorter guide went out.",
                        "Toolkit report from the case record.",
                    ),
                ),
                practitioner_owns=True,
            ),
            ActionSpec(
                "quantify",
                "Set a baseline of social workers' confidence in recognising neglect and "
                "repeat the survey each year",
                "Quality Assurance Lead",
                "No baseline",
                "Baseline set; 20 points more answering 'confident' a year later",
                4,
                (
                    Rated(
                        "green",
                        "Survey sent to 420 staff; 212 answered.",
                        "Survey returns.",
                    ),
                    Rated(
                        "complete",
                        "Baseline published: 46% of social workers said they were confident "
                        "recognising neglect.",
                        "Baseline report to the Neglect Working Group.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Report every quarter the number of children whose neglect plan has lasted "
                "more than 18 months",
                "Performance and Systems",
                "Not counted",
                "Count in every quarterly return",
                6,
                (
                    Rated(
                        "amber",
                        "The report is being built; the plan start dates needed cleaning first.",
                    ),
                    Rated(
                        "complete",
                        "First count: 23 children; each is now reviewed by a Head of Service.",
                        "Quarterly performance report.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Audit 20 neglect cases a quarter against the toolkit standards",
                "Quality Assurance Lead",
                "No audit programme",
                "80 cases audited a year, 7 in 10 good or better",
                21,
                (
                    Rated(
                        "green",
                        "First 20 cases audited: 9 were good or better.",
                        "Audit summary to the senior leadership team.",
                    ),
                    Rated(
                        "green",
                        "20 more audited: 12 good or better; chronologies remain the weakest part.",
                        "Audit summary; chronology workshop booked in response.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Ask children and families what difference the help made when a neglect plan ends",
                "Participation Officer",
                "No feedback gathered",
                "Feedback from 30 families a year",
                20,
                (
                    Rated("red", "The Participation Officer post is vacant."),
                    Rated(
                        "red",
                        "Still vacant: recruitment is paused until the budget is agreed.",
                    ),
                ),
            ),
        ],
        reports=(
            Report(
                "Launched the case discussion form in two service areas, surveyed 420 social "
                "workers and audited our first 20 neglect cases.",
                "In the audited cases, children's lived experience was written down more often "
                "where a champion was in the team.",
                "Case audit of 20 cases and the practitioner confidence survey.",
                "The learning platform move stopped e-learning for eight weeks.",
                "Finish the baseline report and appoint champions in the remaining teams.",
            ),
            Report(
                "Nine teams now have a champion, the confidence baseline is published and "
                "310 staff have completed the e-learning.",
                "Six children's plans were changed after champions' forum advice, in four "
                "cases to add help with school attendance.",
                "Forum notes, the second case audit and the quarterly performance report.",
                "South area supervision is behind while the team manager post is filled; "
                "the Participation Officer post is still vacant.",
                "Run the chronology workshop and extend the form to the South area.",
            ),
        ),
    ),
    EARLY_HELP: PlanSpec(
        title="Early Help neglect action plan: help at the first signs",
        signed_off_by="Rachel Dunmore",
        signed_off_role="Head of Early Help",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Train every early help practitioner in the neglect toolkit's screening questions",
                "Early Help Practice Lead",
                "62 of 140 practitioners trained",
                "140 of 140 practitioners trained",
                12,
                (
                    Rated(
                        "amber",
                        "Two sessions were cancelled through sickness; 81 of 140 trained.",
                        "Training register.",
                    ),
                    Rated(
                        "green",
                        "114 of 140 trained and the last sessions are booked.",
                        "Training register; practitioners now ask the screening questions at "
                        "the first home visit.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Name a neglect champion in each family hub",
                "Family hub managers",
                "Champions in 2 of 6 family hubs",
                "Champions in 6 of 6 family hubs",
                3,
                (
                    Rated(
                        "green",
                        "Five hubs have a champion; the sixth starts in the new quarter.",
                        "Hub champions list.",
                    ),
                    Rated(
                        "complete",
                        "All six hubs have a champion who runs a monthly case clinic.",
                        "Case clinic records: 31 families discussed.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Use the early help neglect toolkit in every family assessment where neglect "
                "is a worry",
                "Early help team managers",
                "Used in 1 in 3 of those assessments",
                "Used in 9 in 10 of those assessments",
                15,
                (
                    Rated(
                        "red",
                        "The toolkit is not in the case system yet, so workers are using paper "
                        "copies that cannot be counted.",
                    ),
                    Rated(
                        "amber",
                        "The toolkit form went live in the case system; used in 48% of those "
                        "assessments.",
                        "Case system report.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Step up to Children's Social Care within 5 working days when a toolkit "
                "review shows no change after 12 weeks",
                "Early Help Practice Lead",
                "Step-ups took 15 working days on average",
                "Step-ups within 5 working days",
                5,
                (
                    Rated(
                        "amber",
                        "Average down to 11 working days since the step-up checklist was "
                        "introduced.",
                        "Step-up tracker.",
                    ),
                    Rated(
                        "amber",
                        "Average now 9 working days; the delay is waiting for a consultation "
                        "slot at the front door.",
                        "Step-up tracker.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Report each quarter how many families had a neglect toolkit started and reviewed",
                "Early Help Performance Officer",
                "Not counted",
                "Counted in every quarterly return",
                6,
                (
                    Rated(
                        "green",
                        "Count agreed with the performance team; first figures being checked.",
                    ),
                    Rated(
                        "complete",
                        "First count in the return: 96 toolkits started, 58 reviewed.",
                        "Quarterly performance return.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Audit 10 closed early help cases a quarter for whether the neglect improved",
                "Early Help Practice Lead",
                "No audit",
                "40 cases audited a year",
                18,
                (
                    Rated(
                        "amber",
                        "Audit tool agreed; only 6 cases audited because of sickness.",
                        "Audit returns.",
                    ),
                    Rated(
                        "green",
                        "10 cases audited: home conditions improved in 7.",
                        "Audit returns and the toolkit scores at closure.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Ask parents for their views with the family hub feedback card when a case closes",
                "Family hub managers",
                "No feedback on neglect help",
                "60 feedback cards a year",
                20,
                (
                    Rated("red", "The card has not been printed yet."),
                    Rated(
                        "amber",
                        "Cards in use since mid-quarter; 9 returned.",
                        "Seven of nine parents said the help made things better at home.",
                    ),
                ),
            ),
        ],
        reports=(
            Report(
                "Trained 19 more practitioners, named five hub champions and introduced the "
                "step-up checklist.",
                "Families where neglect was not improving reached social care a few days sooner.",
                "Training register and the step-up tracker.",
                "Paper toolkits cannot be counted until the case system form goes live.",
                "Put the toolkit in the case system and print the feedback cards.",
            ),
            Report(
                "All six hubs have a champion, the toolkit is in the case system and the first "
                "closed-case audit is done.",
                "Home conditions improved in 7 of 10 audited families; 7 of 9 parents said "
                "the help made things better.",
                "Closed-case audit, toolkit scores at closure and feedback cards.",
                "Step-ups still wait for a front door consultation slot.",
                "Agree a protected consultation slot with the front door.",
            ),
        ),
    ),
    POLICE: PlanSpec(
        title="Police neglect action plan",
        signed_off_by="Detective Superintendent Claire Whitlock",
        signed_off_role="Head of Public Protection",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Add neglect to the public protection e-learning for every response officer",
                "Public Protection Training Lead",
                "0 of 1,150 officers",
                "1,150 of 1,150 officers",
                12,
                (
                    Rated(
                        "amber",
                        "Module written with the partnership; launch delayed by the force's "
                        "IT change freeze.",
                    ),
                    Rated(
                        "green",
                        "Launched: 430 of 1,150 officers have completed it.",
                        "Learning system report.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Use the home conditions checklist at every domestic abuse and missing child "
                "attendance where children live",
                "Response inspectors",
                "Checklist used at about 1 in 10 attendances",
                "Checklist used at 8 in 10 attendances",
                9,
                (
                    Rated("red", "The checklist is not yet on officers' mobile devices."),
                    Rated(
                        "amber",
                        "On mobile devices since the second month; used at 3 in 10 attendances.",
                        "Review of body-worn video from 30 attendances.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Send an Operation Encompass notification to the child's school by 9am on the "
                "next school day after every domestic abuse incident",
                "Public Protection Unit",
                "72% sent by 9am",
                "95% sent by 9am",
                5,
                (
                    Rated(
                        "amber",
                        "84% sent by 9am; most late ones follow weekend incidents.",
                        "Operation Encompass log.",
                    ),
                    Rated(
                        "amber",
                        "88% sent by 9am; a Monday morning check of weekend incidents is being "
                        "trialled.",
                        "Operation Encompass log.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Refer to Children's Social Care every child found living in neglectful home "
                "conditions",
                "Public Protection Unit",
                "Referral made in 6 of 10 such cases",
                "Referral made in 10 of 10 such cases",
                15,
                (
                    Rated(
                        "amber",
                        "Referral prompt added to the attendance form.",
                        "Dip sample: referral made in 7 of 10 cases.",
                    ),
                    Rated(
                        "green",
                        "Referral made in 9 of 10 cases sampled.",
                        "Dip sample with Children's Social Care.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Flag neglect on the police recording system so child neglect concerns can be "
                "counted",
                "Public Protection Analyst",
                "No neglect flag",
                "Quarterly count of child neglect concerns",
                4,
                (
                    Rated("green", "Flag designed and tested."),
                    Rated(
                        "complete",
                        "Flag live: 212 child neglect concerns recorded in the quarter.",
                        "Recording system report.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Dip sample 15 child concern notifications a quarter with Children's Social Care",
                "Public Protection Unit",
                "No joint dip sample",
                "60 notifications sampled a year",
                21,
                (
                    Rated(
                        "green",
                        "15 sampled: the child's voice was recorded in 5.",
                        "Joint dip sample notes.",
                    ),
                    Rated(
                        "green",
                        "15 sampled: the child's voice was recorded in 9 after the briefing to "
                        "response teams.",
                        "Joint dip sample notes.",
                    ),
                ),
            ),
        ],
        reports=(
            Report(
                "Wrote the neglect e-learning module, designed the neglect flag and started "
                "the joint dip sample.",
                "Schools heard about more weekend incidents in time to support the child on "
                "Monday.",
                "Operation Encompass log and the joint dip sample.",
                "The IT change freeze delayed the e-learning and the mobile checklist.",
                "Launch the e-learning and put the checklist on mobile devices.",
            ),
            Report(
                "Launched the e-learning, switched on the neglect flag and put the home "
                "conditions checklist on officers' devices.",
                "More children found in neglectful homes were referred to social care (9 in "
                "10 sampled) and their views were recorded more often.",
                "Recording system report and the second joint dip sample.",
                "Weekend Operation Encompass notifications are still late.",
                "Evaluate the Monday morning check and press on with checklist use.",
            ),
        ),
    ),
    COMMUNITY_HEALTH: PlanSpec(
        title="Community Health Trust neglect action plan: seeing neglect at every contact",
        signed_off_by="Dr Fiona Adeyemi",
        signed_off_role="Chief Nurse",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Deliver level 3 neglect training to every health visitor and school nurse",
                "Named Nurse for Safeguarding Children",
                "180 of 800 staff trained",
                "800 of 800 staff trained",
                18,
                (
                    Rated(
                        "amber",
                        "Sessions are full but releasing staff is hard; 260 of 800 trained.",
                        "Training records.",
                    ),
                    Rated(
                        "green",
                        "Evening sessions added; 412 of 800 trained.",
                        "Training records; post-course quiz scores up from 58% to 81%.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Appoint a neglect champion in every health visiting and school nursing team",
                "Health visiting and school nursing service leads",
                "Champions in 3 of 12 teams",
                "Champions in 12 of 12 teams",
                5,
                (
                    Rated("amber", "Seven of 12 teams have a champion.", "Champions list."),
                    Rated(
                        "amber",
                        "Nine of 12 teams have a champion; the other three have vacancies.",
                        "Champions list.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Ask about home conditions and the baby's sleeping space at every new birth visit",
                "Health visiting team leaders",
                "Recorded at 55% of new birth visits",
                "Recorded at 95% of new birth visits",
                12,
                (
                    Rated(
                        "green",
                        "Question added to the new birth template; recorded at 78% of visits.",
                        "Electronic record report.",
                    ),
                    Rated(
                        "green",
                        "Recorded at 89% of new birth visits.",
                        "Electronic record report; 14 unsafe sleeping spaces found and "
                        "followed up.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Follow up every child who 'was not brought' to a health appointment within "
                "5 working days",
                "Health visiting team leaders",
                "Followed up in 4 of 10 cases",
                "Followed up in 9 of 10 cases",
                9,
                (
                    Rated(
                        "red",
                        "Not started: waiting for the change to the electronic record.",
                    ),
                    Rated(
                        "amber",
                        "Process live since the change; 6 of 10 followed up within 5 working days.",
                        "Was not brought audit of 50 missed appointments.",
                    ),
                ),
                practitioner_owns=True,
            ),
            ActionSpec(
                "respond",
                "Discuss every child on a neglect plan in safeguarding supervision using the "
                "case discussion form",
                "Safeguarding Children Team",
                "Form not used",
                "Form used in every supervision of a neglect case",
                6,
                (
                    Rated(
                        "green",
                        "Form used in 8 of 10 supervisions sampled.",
                        "Supervision records sample.",
                    ),
                    Rated(
                        "complete",
                        "Form now used in every supervision of a neglect case.",
                        "Supervision records sample: 20 of 20.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Set a baseline of practitioners' confidence in recognising neglect",
                "Named Nurse for Safeguarding Children",
                "Still being set",
                "Baseline set and survey repeated each year",
                4,
                (
                    Rated("green", "Survey closed with 344 answers."),
                    Rated(
                        "complete",
                        "Baseline: 52% confident recognising neglect, 31% confident "
                        "challenging a parent about it.",
                        "Baseline report to the trust's safeguarding committee.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Report the number of children not brought to health appointments each "
                "quarter, by team",
                "Trust Information Team",
                "No regular count",
                "Count in every quarterly return",
                12,
                (
                    Rated("amber", "Report written; the team codes are being corrected."),
                    Rated(
                        "green",
                        "First count by team: 640 appointments missed by 410 children.",
                        "Information team report.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Audit 20 health records a quarter against the toolkit standards",
                "Safeguarding Children Team",
                "No audit programme",
                "80 records audited a year",
                21,
                (
                    Rated(
                        "amber",
                        "12 records audited; auditors were redeployed to the vaccination catch-up.",
                        "Audit returns.",
                    ),
                    Rated(
                        "amber",
                        "14 audited: the child's daily life was described in 6.",
                        "Audit returns.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Ask parents whether the health visitor's help made a difference to their child",
                "Patient Experience Team",
                "No feedback gathered",
                "Feedback from 30 families a year",
                20,
                (
                    Rated("red", "Not started: the patient experience survey is being replaced."),
                    Rated("red", "The new survey will not be ready until next year."),
                ),
            ),
        ],
        reports=(
            Report(
                "Trained 80 more staff, appointed four champions and surveyed practitioners' "
                "confidence.",
                "Health visitors asked about home conditions at more new birth visits.",
                "Training records, the champions list and the electronic record report.",
                "Releasing staff for training; auditors redeployed to the vaccination catch-up.",
                "Add evening training sessions and go live with 'was not brought' follow-up.",
            ),
            Report(
                "Added evening training, went live with 'was not brought' follow-up and "
                "published the confidence baseline.",
                "14 babies' unsafe sleeping spaces were found and put right; more children "
                "who missed appointments were seen within a week.",
                "Electronic record report, the 'was not brought' audit and supervision records.",
                "Three teams have no champion because of vacancies.",
                "Ask team leaders to cover champion duties until the vacancies are filled.",
            ),
        ),
    ),
    MENTAL_HEALTH: PlanSpec(
        title="Mental Health Trust neglect action plan: think family",
        signed_off_by="Dr Anil Mehta",
        signed_off_role="Director of Nursing and Quality",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Add think-family screening questions about children in the household to "
                "every adult mental health assessment",
                "Named Professional for Safeguarding Children",
                "Children recorded in 35% of adult assessments",
                "Children recorded in 90% of adult assessments",
                9,
                (
                    Rated(
                        "amber",
                        "Questions added to the assessment form; recorded in 52% of assessments.",
                        "Assessment form report.",
                    ),
                    Rated(
                        "green",
                        "Recorded in 74% of assessments after reminders in team meetings.",
                        "Assessment form report.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Deliver the neglect e-learning to adult mental health staff",
                "Learning and Development",
                "95 of 600 staff trained",
                "600 of 600 staff trained",
                18,
                (
                    Rated(
                        "amber",
                        "Made mandatory for community teams; 170 of 600 trained.",
                        "Learning records.",
                    ),
                    Rated(
                        "amber",
                        "250 of 600 trained; inpatient wards are furthest behind.",
                        "Learning records.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Tell the child's health visitor or school nurse when a parent is admitted to "
                "hospital",
                "Named Professional for Safeguarding Children",
                "No agreed process",
                "Shared within 2 working days of every admission",
                5,
                (
                    Rated(
                        "red",
                        "The information-sharing agreement is still with both trusts' "
                        "information governance leads.",
                    ),
                    Rated(
                        "amber",
                        "Agreement signed; sharing starts next month once the ward clerks "
                        "are trained.",
                        "Signed information-sharing agreement.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Discuss children of parents with severe mental illness in safeguarding "
                "supervision using the case discussion form",
                "Safeguarding Team",
                "Form not used",
                "Form used for every such parent",
                12,
                (
                    Rated("amber", "Piloted in two community teams."),
                    Rated(
                        "green",
                        "In use in all community teams.",
                        "Three children referred to early help after supervision.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Report each quarter how many adult patients have children at home and how "
                "many of the children are on a neglect plan",
                "Trust Information Team",
                "Not counted",
                "Counted every quarter",
                6,
                (
                    Rated("green", "Matching method agreed with Children's Social Care."),
                    Rated(
                        "complete",
                        "First count: 1,240 patients with children at home; 38 children on a "
                        "neglect plan.",
                        "Quarterly information report.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Audit 10 adult records a quarter for think-family screening and what was "
                "done next",
                "Safeguarding Team",
                "No audit",
                "40 records audited a year",
                21,
                (
                    Rated("green", "10 records audited.", "Audit report."),
                    Rated(
                        "amber",
                        "10 audited: screening was done but nothing followed in 4 of them.",
                        "Audit report; the follow-up step is now in the assessment guidance.",
                    ),
                ),
            ),
        ],
        reports=(
            Report(
                "Added think-family questions to adult assessments and made the neglect "
                "e-learning mandatory for community teams.",
                "More adult assessments now record the children living with the patient.",
                "Assessment form report and learning records.",
                "The information-sharing agreement is taking longer than planned.",
                "Sign the agreement and pilot the case discussion form.",
            ),
            Report(
                "Signed the information-sharing agreement, rolled out the case discussion form "
                "and counted patients' children for the first time.",
                "Three children were referred to early help after their parent's supervision "
                "discussion.",
                "Quarterly information report, supervision records and the record audit.",
                "Inpatient wards are behind on training; screening is not always followed up.",
                "Train ward clerks to share admissions and brief teams on the follow-up step.",
            ),
        ),
    ),
    EDUCATION: PlanSpec(
        title="Education neglect action plan: schools that notice",
        signed_off_by="Mark Pellow",
        signed_off_role="Director of Education",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Train every school's designated safeguarding lead (DSL) in recognising neglect",
                "Education Safeguarding Lead",
                "88 of 210 DSLs trained",
                "210 of 210 DSLs trained",
                12,
                (
                    Rated(
                        "green",
                        "Two sessions run; 131 of 210 DSLs trained.",
                        "Attendance register.",
                    ),
                    Rated(
                        "green",
                        "172 of 210 DSLs trained.",
                        "Attendance register; DSLs rated the session 4.6 out of 5.",
                    ),
                ),
            ),
            ActionSpec(
                "recognise",
                "Put neglect on the agenda of every termly DSL network meeting",
                "Education Safeguarding Lead",
                "Not on the agenda",
                "On the agenda of every termly meeting",
                3,
                (
                    Rated(
                        "complete",
                        "Standing item agreed; the first session was on school uniform and "
                        "hygiene.",
                        "Network meeting notes.",
                    ),
                    Rated(
                        "complete",
                        "Second session, on dental neglect, run with the school nurses.",
                        "Network meeting notes.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Follow up within a week every pupil below 90% attendance who is known to be "
                "at risk of neglect",
                "Education Welfare Service",
                "Followed up in about half of cases",
                "Followed up in 9 in 10 cases",
                9,
                (
                    Rated(
                        "amber",
                        "Weekly list of pupils shared with schools; followed up in 6 of 10.",
                        "Attendance casework log.",
                    ),
                    Rated(
                        "amber",
                        "Followed up in 7 of 10; two education welfare officer posts are vacant.",
                        "Attendance casework log.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Record the same day what support the DSL gave after every Operation "
                "Encompass notification",
                "Headteachers",
                "Recorded for 60% of notifications",
                "Recorded for 95% of notifications",
                5,
                (
                    Rated(
                        "amber",
                        "Recording template sent to every school; recorded for 71%.",
                        "Termly safeguarding return.",
                    ),
                    Rated(
                        "amber",
                        "Recorded for 79%; small primary schools with no deputy DSL find it "
                        "hardest.",
                        "Termly safeguarding return.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Use the neglect toolkit in school before asking for early help",
                "Education Safeguarding Lead",
                "Rarely used by schools",
                "Used in 8 in 10 early help requests from schools",
                15,
                (
                    Rated("red", "Schools have not yet been shown the toolkit."),
                    Rated(
                        "amber",
                        "Toolkit shown at the DSL network; used in 3 in 10 requests.",
                        "Early help request forms.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Count each term the pupils with neglect concerns recorded by schools",
                "School Performance Team",
                "No count",
                "Termly count from 80% of schools",
                10,
                (
                    Rated("amber", "Question added to the termly return; 48% of schools answered."),
                    Rated(
                        "amber",
                        "61% of schools answered; 1,085 pupils with recorded neglect concerns.",
                        "Termly safeguarding return.",
                    ),
                ),
            ),
            ActionSpec(
                "evaluate",
                "Review 25 schools' safeguarding records a year for how neglect concerns were "
                "followed up",
                "Education Safeguarding Lead",
                "No review",
                "25 schools reviewed a year",
                21,
                (
                    Rated(
                        "green",
                        "Six schools reviewed.",
                        "Review reports to each headteacher.",
                    ),
                    Rated(
                        "green",
                        "Seven more reviewed: concerns were followed up in 11 of 13 schools.",
                        "Review reports to each headteacher.",
                    ),
                ),
            ),
        ],
        reports=(
            Report(
                "Trained 43 more DSLs, made neglect a standing item at the DSL network and "
                "started sharing weekly attendance lists.",
                "More pupils at risk of neglect who stopped coming to school were contacted "
                "within a week.",
                "Attendance casework log and the termly safeguarding return.",
                "Schools have not yet seen the neglect toolkit.",
                "Show the toolkit at the next DSL network.",
            ),
            Report(
                "Trained 41 more DSLs, showed the toolkit at the network and reviewed seven "
                "schools' safeguarding records.",
                "Schools supported children after domestic abuse notifications more often "
                "and asked for early help with a toolkit behind the request.",
                "Termly safeguarding return, early help request forms and school reviews.",
                "Two education welfare officer posts are vacant.",
                "Offer small primary schools a shared deputy DSL arrangement.",
            ),
        ),
    ),
    VOLUNTARY: PlanSpec(
        title="Voluntary and Community Sector neglect action plan",
        signed_off_by="Beverley Osei",
        signed_off_role="Chief Executive, Council for Voluntary Service",
        months=24,
        actions=[
            ActionSpec(
                "recognise",
                "Offer the neglect e-learning to every family support volunteer",
                "Volunteer Coordinator",
                "14 of 120 volunteers trained",
                "100 of 120 volunteers trained",
                12,
                (
                    Rated(
                        "amber",
                        "Volunteers could not use the partnership's learning platform; a "
                        "guest login is being set up.",
                        "30 of 120 trained, most in person.",
                    ),
                    Rated("green", "Guest logins working; 52 of 120 trained so far."),
                ),
            ),
            ActionSpec(
                "recognise",
                "Name a safeguarding lead who knows the neglect toolkit in each member "
                "organisation",
                "Council for Voluntary Service",
                "9 of 40 organisations",
                "40 of 40 organisations",
                15,
                (Rated("red", "Many small groups have no paid staff to take the role."),),
            ),
            ActionSpec(
                "respond",
                "Offer a family support volunteer to every family stepped down from early "
                "help with neglect worries",
                "Family Support Volunteers",
                "No matching",
                "Every family offered a volunteer within 4 weeks",
                5,
                (
                    Rated(
                        "amber",
                        "Referral route agreed with Early Help; 11 families matched, 6 within "
                        "4 weeks.",
                        "Matching log.",
                    ),
                ),
            ),
            ActionSpec(
                "respond",
                "Tell the family's lead professional when a volunteer sees home conditions "
                "getting worse",
                "Family Support Volunteers",
                "No agreed route",
                "Route agreed and used every time",
                9,
                (
                    Rated(
                        "green",
                        "Route agreed and explained at volunteer supervision.",
                        "Two concerns passed to lead professionals in the quarter.",
                    ),
                ),
            ),
            ActionSpec(
                "quantify",
                "Count the families supported with neglect worries each quarter across member "
                "organisations",
                "Council for Voluntary Service",
                "No shared count",
                "Count from 30 of 40 organisations",
                12,
                (Rated("red", "Only 7 organisations sent figures."),),
            ),
            ActionSpec(
                "evaluate",
                "Ask families what difference the volunteer made, with a short feedback card",
                "Volunteer Coordinator",
                "No feedback gathered",
                "Feedback from 40 families a year",
                18,
                (Rated("amber", "Card designed with two parents; printing next month."),),
            ),
        ],
        reports=(
            Report(
                "Agreed referral routes with Early Help and trained 16 more volunteers.",
                "Eleven families stepped down from early help have a volunteer alongside them.",
                "Matching log and training records.",
                "Small groups have no paid staff to act as safeguarding lead.",
                "Set up guest logins for the e-learning.",
            ),
            Report(
                "Guest logins for the e-learning are working.",
                "",
                "",
                "The coordinator was on leave for most of the quarter.",
                "",
            ),
        ),
        latest_submitted=False,
    ),
}


def _months_after(day: date, months: int) -> date:
    month = day.month - 1 + months
    return date(day.year + month // 12, month % 12 + 1, 1) - timedelta(days=1)


def _written(record: M, *, on: date, by: User | None) -> M:
    """Save the record as if written on that day by that person, so its history page and the
    overview's count of the actions a quarter had (read from the history) tell a true story."""
    when = timezone.make_aware(datetime.combine(on, time(10)))
    setattr(record, "_history_date", when)  # noqa: B010 - simple_history reads it
    attributed(record, user=by).save()
    return record


def _load_plan(
    agency: Agency, spec: PlanSpec, *, quarters: list[Quarter], place: int, today: date
) -> None:
    start = quarters[0].start
    lead = (
        agency.users.filter(role=User.Role.AGENCY_LEAD).order_by("pk").first()
        or User.objects.filter(role=User.Role.ADMINISTRATOR).order_by("pk").first()
    )
    practitioner = agency.users.filter(role=User.Role.PRACTITIONER).order_by("pk").first()
    signed_off = start + timedelta(days=14 + 3 * place)
    plan = ActionPlan(
        agency=agency,
        title=spec.title,
        period_start=start,
        period_end=_months_after(start, spec.months),
        signed_off_by=spec.signed_off_by,
        signed_off_role=spec.signed_off_role,
        signed_off_on=signed_off,
        status=ActionPlan.Status.ACTIVE,
    )
    _written(plan, on=signed_off, by=lead)
    # Agencies send their returns a few weeks after the quarter, not all on the same day.
    sent = [min(quarter.end + timedelta(days=9 + 2 * place), today) for quarter in quarters]
    for item in spec.actions:
        action = Action(
            plan=plan,
            objective=item.objective,
            description=item.description,
            owner=practitioner if item.practitioner_owns else None,
            owner_name=item.owner_name,
            start_date=start,
            due_date=_months_after(start, item.due),
            success_measure=item.target,
            baseline=item.baseline,
            target=item.target,
        )
        _written(action, on=signed_off, by=lead)
        for quarter, on, rated in zip(quarters, sent, item.ratings, strict=False):
            update = ActionUpdate(
                action=action,
                quarter=quarter.slug,
                rag=rated.rag,
                narrative=rated.narrative,
                evidence_of_impact=rated.evidence_of_impact,
            )
            _written(update, on=on, by=lead)
    for quarter, on, report in zip(quarters, sent, spec.reports, strict=True):
        submitted = spec.latest_submitted or quarter != quarters[-1]
        record = QuarterlyReport(plan=plan, quarter=quarter.slug, **report._asdict())
        if submitted:
            record.status = QuarterlyReport.Status.SUBMITTED
            record.submitted_by = lead
            record.submitted_at = timezone.make_aware(datetime.combine(on, time(10)))
        _written(record, on=on, by=lead)


@transaction.atomic
def load_action_plan_demo(today: date | None = None) -> int:
    """Create the plan in PLANS of every demo agency that has none; returns how many were
    created."""
    today = today or dates.today()
    current = Quarter.containing(today)
    quarters = [current.previous().previous(), current.previous()]
    created = 0
    for place, (name, spec) in enumerate(PLANS.items()):
        agency = Agency.objects.filter(name=name, active=True).first()
        if agency is None or ActionPlan.objects.filter(agency=agency).exists():
            continue
        _load_plan(agency, spec, quarters=quarters, place=place, today=today)
        created += 1
    return created


def load_demo() -> str | None:
    """Called by `manage.py load_demo_data` (neglect_portal.demo) after the demo sign-ins."""
    plans = load_action_plan_demo()
    load_challenge_demo()  # the Working Group's challenges and decisions, on these plans
    return f"Demo action plans added for {plans} agencies." if plans else None
