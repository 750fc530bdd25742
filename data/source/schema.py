"""SQLAlchemy Core declarations of the CRM tables Mediviz reads (its own tables: ``data.app.schema``).

The CRM tables follow the CRM's own DDL (names, columns, keys, indexes) so that the same declarations can
create a demo or test copy on SQLite and MySQL/MariaDB. Mediviz never writes to them in production.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql

MYSQL_OPTS: dict[str, Any] = {"mysql_engine": "InnoDB", "mysql_charset": "utf8mb4"}

#: The CRM tables (read only).
crm_metadata = sa.MetaData()

_now = sa.text("CURRENT_TIMESTAMP")
UNSIGNED_INT = sa.Integer().with_variant(mysql.INTEGER(unsigned=True), "mysql", "mariadb")
TINYINT = sa.SmallInteger().with_variant(mysql.TINYINT(), "mysql", "mariadb")

codification = sa.Table(
    "tab_par_codification",
    crm_metadata,
    sa.Column("type_codification", sa.String(10), primary_key=True),
    sa.Column("code_codification", sa.String(12), primary_key=True),
    sa.Column("libelle_codification", sa.String(255), nullable=False),
    sa.Column("ordre_codification", sa.Integer),
    sa.Column("type_parent", sa.String(10)),
    sa.Column("code_parent", sa.String(12)),
    sa.Column("flag_actif", sa.CHAR(1), nullable=False, server_default="O"),
    sa.Column("date_creation", sa.DateTime, nullable=False, server_default=_now),
    sa.UniqueConstraint("code_codification", name="uq_codif_code"),
    **MYSQL_OPTS,
)

utilisateur = sa.Table(
    "tab_utilisateur",
    crm_metadata,
    sa.Column("id_utilisateur", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("nom_utilisateur", sa.String(100), nullable=False),
    sa.Column("prenom_utilisateur", sa.String(100)),
    sa.Column("role", sa.String(4), nullable=False),
    sa.Column(
        "id_responsable",
        sa.Integer,
        sa.ForeignKey("tab_utilisateur.id_utilisateur", name="fk_user_resp"),
    ),
    sa.Column("code_statut_utilisateur", sa.String(4), nullable=False, server_default="ACTI"),
    sa.Column("flag_medical", sa.CHAR(1), nullable=False, server_default="O"),
    sa.Column("flag_pharmaceutique", sa.CHAR(1), nullable=False, server_default="N"),
    sa.Column("date_creation", sa.DateTime, nullable=False, server_default=_now),
    sa.Column("date_desactivation", sa.DateTime),
    sa.Index("ix_user_resp", "id_responsable"),
    **MYSQL_OPTS,
)

partenaire = sa.Table(
    "tab_partenaire",
    crm_metadata,
    sa.Column("id_partenaire", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("code_type_partenaire", sa.String(4), nullable=False),
    sa.Column("nom_partenaire", sa.String(150), nullable=False),
    sa.Column("prenom_partenaire", sa.String(100)),
    sa.Column("code_potentiel", sa.String(3)),
    sa.Column("code_statut_partenaire", sa.String(4), nullable=False, server_default="CREE"),
    sa.Column("code_type_etablissement", sa.String(12)),
    sa.Column("code_specialite", sa.String(12)),
    sa.Column("code_gamme", sa.String(12)),
    sa.Column("code_region_partenaire", sa.String(12)),
    sa.Column("code_ville_partenaire", sa.String(12)),
    sa.Column("code_secteur_partenaire", sa.String(12)),
    sa.Column("id_utilisateur", sa.Integer),
    sa.Column("date_creation", sa.DateTime, nullable=False, server_default=_now),
    sa.Index("ix_part_region", "code_region_partenaire"),
    sa.Index("ix_part_gamme", "code_gamme"),
    **MYSQL_OPTS,
)

_user_fk = "tab_utilisateur.id_utilisateur"

visite = sa.Table(
    "tab_visite",
    crm_metadata,
    sa.Column("id_visite", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id_utilisateur", sa.Integer, sa.ForeignKey(_user_fk, name="fk_visite_user"), nullable=False),
    sa.Column("role_utilisateur", sa.String(4)),
    sa.Column("id_responsable", sa.Integer, sa.ForeignKey(_user_fk, name="fk_visite_resp")),
    sa.Column("code_type_visite", sa.String(4), nullable=False),
    sa.Column("code_statut_visite", sa.String(4), nullable=False),
    sa.Column("type_visite", sa.CHAR(1), nullable=False, server_default="S"),
    sa.Column("flag_accompagnee", sa.CHAR(1), nullable=False, server_default="N"),
    sa.Column("id_accompagnant", sa.Integer),
    sa.Column("flag_medical", sa.CHAR(1)),
    sa.Column("flag_pharmaceutique", sa.CHAR(1)),
    sa.Column("date_visite", sa.DateTime, nullable=False),
    sa.Column("heure_fin_visite", sa.Time),
    sa.Column("commentaire", sa.Text),
    sa.Column("date_creation", sa.DateTime, nullable=False, server_default=_now),
    sa.Column("date_rapport", sa.DateTime),
    sa.Column("id_visite_origine", sa.Integer),
    sa.Column("id_visite_replanifiee", sa.Integer),
    sa.Column("date_replanification", sa.DateTime),
    sa.Index("ix_visite_user_date", "id_utilisateur", "date_visite"),
    sa.Index("ix_visite_date", "date_visite"),
    sa.Index("ix_visite_resp", "id_responsable"),
    **MYSQL_OPTS,
)

partenaire_visite = sa.Table(
    "tab_partenaire_visite",
    crm_metadata,
    sa.Column("id_partenaire_visite", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "id_visite",
        sa.Integer,
        sa.ForeignKey("tab_visite.id_visite", name="fk_pv_visite"),
        nullable=False,
    ),
    sa.Column(
        "id_partenaire",
        sa.Integer,
        sa.ForeignKey("tab_partenaire.id_partenaire", name="fk_pv_part"),
        nullable=False,
    ),
    sa.Column("order_partenaire", TINYINT, nullable=False, server_default="1"),
    sa.Column("nom_remplacent", sa.String(150)),
    sa.Column("code_region_partenaire", sa.String(12)),
    sa.Column("code_ville_partenaire", sa.String(12)),
    sa.Column("code_type_partenaire", sa.String(4)),
    sa.Column("code_gamme_partenaire", sa.String(12)),
    sa.Column("code_specialite_partenaire", sa.String(12)),
    sa.UniqueConstraint("id_visite", "id_partenaire", name="uq_pv"),
    sa.Index("ix_pv_part", "id_partenaire"),
    sa.Index("ix_pv_region", "code_region_partenaire"),
    sa.Index("ix_pv_gamme", "code_gamme_partenaire"),
    **MYSQL_OPTS,
)

evaluation = sa.Table(
    "tab_evaluation",
    crm_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("id_createur", sa.Integer, sa.ForeignKey(_user_fk, name="fk_eval_creator"), nullable=False),
    sa.Column(
        "id_utilisateur_evalue",
        sa.Integer,
        sa.ForeignKey(_user_fk, name="fk_eval_user"),
        nullable=False,
    ),
    sa.Column("points_obtenu", sa.Integer, nullable=False),
    sa.Column("points_total", sa.Integer, nullable=False),
    sa.Column("date_integration", sa.DateTime, nullable=False),
    sa.Index("ix_eval_user", "id_utilisateur_evalue"),
    **MYSQL_OPTS,
)

evaluation_detailed = sa.Table(
    "tab_evaluation_detailed",
    crm_metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "id_evaluation",
        sa.Integer,
        sa.ForeignKey("tab_evaluation.id", name="fk_evd_eval"),
        nullable=False,
    ),
    sa.Column("code_categorie", sa.String(12), nullable=False),
    sa.Column("code_sous_categorie", sa.String(12), nullable=False),
    sa.Column("point_obtenu", sa.Numeric(6, 2), nullable=False),
    sa.Column("point_sur", sa.Numeric(6, 2), nullable=False),
    sa.Index("ix_evd_eval", "id_evaluation"),
    **MYSQL_OPTS,
)

partenaire_bc = sa.Table(
    "tab_partenaire_bc",
    crm_metadata,
    sa.Column("id_business_case", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column(
        "id_partenaire",
        sa.Integer,
        sa.ForeignKey("tab_partenaire.id_partenaire", name="fk_bc_part"),
        nullable=False,
    ),
    sa.Column("id_utilisateur", sa.Integer),
    sa.Column("id_responsable", sa.Integer, sa.ForeignKey(_user_fk, name="fk_bc_resp")),
    sa.Column("code_statut_bc", sa.String(4), nullable=False, server_default="ENAT"),
    sa.Column("code_type_investissement", sa.String(12), nullable=False),
    sa.Column("code_categorie_investissement", sa.String(12)),
    sa.Column("budget", UNSIGNED_INT, nullable=False),
    sa.Column("description", sa.Text),
    sa.Column("objet_investissement", sa.String(255)),
    sa.Column("destination", sa.String(255)),
    sa.Column("date_creation", sa.DateTime, nullable=False, server_default=_now),
    sa.Column("date_validation", sa.DateTime),
    sa.Column("date_realisation", sa.DateTime),
    sa.Index("ix_bc_part", "id_partenaire"),
    sa.Index("ix_bc_resp", "id_responsable"),
    **MYSQL_OPTS,
)
