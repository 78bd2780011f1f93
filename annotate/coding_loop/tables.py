"""The tables the loop's hand-written statements read and write, named through their models (a model's
table may be renamed without the statements silently reading another)."""

from annotate.analysis.models import AgreementRun, SaturationRun
from annotate.assignments.models import Assignment, AssignmentPlan, PlanCoder, Unit
from annotate.cases.models import AttributeDefinition, AttributeValue, Case
from annotate.codebook.models import Codebook, CodebookVersion
from annotate.coding.models import SegmentCodingVersion
from annotate.documents.models import Document, Segment

ASSIGNMENT = Assignment._meta.db_table
PLAN = AssignmentPlan._meta.db_table
PLAN_CODER = PlanCoder._meta.db_table
UNIT = Unit._meta.db_table
SEGMENT = Segment._meta.db_table
DOCUMENT = Document._meta.db_table
CASE = Case._meta.db_table
ATTRIBUTE = AttributeDefinition._meta.db_table
ATTRIBUTE_VALUE = AttributeValue._meta.db_table
CODEBOOK = Codebook._meta.db_table
CODEBOOK_VERSION = CodebookVersion._meta.db_table
SET_VERSION = SegmentCodingVersion._meta.db_table
AGREEMENT_RUN = AgreementRun._meta.db_table
SATURATION_RUN = SaturationRun._meta.db_table
