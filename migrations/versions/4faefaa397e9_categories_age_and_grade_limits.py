"""Categories: age and grade limits

Revision ID: 4faefaa397e9
Revises: 3d8405340fb8
Create Date: 2026-12-04 15:40:00.000000

Each category gets optional limits: the youngest and oldest age on the contest's event day and
the lowest and highest school grade. Existing categories get no limits (NULL), so nothing that
was admitted before is refused now; organisers add the limits on the contest's page, which then
lists any registration outside them.
"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '4faefaa397e9'
down_revision = '3d8405340fb8'
branch_labels = None
depends_on = None

LIMITS = ('min_age', 'max_age', 'min_grade', 'max_grade')
CHECKS = {
    'min_age_range': 'min_age IS NULL OR min_age BETWEEN 0 AND 100',
    'max_age_range': 'max_age IS NULL OR max_age BETWEEN 0 AND 100',
    'age_range_ordered': 'min_age IS NULL OR max_age IS NULL OR min_age <= max_age',
    'min_grade_range': 'min_grade IS NULL OR min_grade BETWEEN 1 AND 12',
    'max_grade_range': 'max_grade IS NULL OR max_grade BETWEEN 1 AND 12',
    'grade_range_ordered': 'min_grade IS NULL OR max_grade IS NULL OR min_grade <= max_grade',
}


def upgrade():
    with op.batch_alter_table('contest_category', schema=None) as batch_op:
        for name in LIMITS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=True))
        for name, condition in CHECKS.items():
            batch_op.create_check_constraint(batch_op.f(f'ck_contest_category_{name}'), condition)


def downgrade():
    with op.batch_alter_table('contest_category', schema=None) as batch_op:
        for name in CHECKS:
            batch_op.drop_constraint(batch_op.f(f'ck_contest_category_{name}'), type_='check')
        for name in reversed(LIMITS):
            batch_op.drop_column(name)
