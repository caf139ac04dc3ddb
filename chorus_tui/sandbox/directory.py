"""The simulated Chorus Pro directory: the demo supplier and the public structures it can invoice.

Every SIRET, name, address, bank account and engagement number here is INVENTED for the
simulator and the demo mode. The SIRETs pass the Luhn checksum (`stdnum.fr.siret`) so that the
validation code treats them as well-formed, but they belong to no real body. Public SIRENs start
with the digits INSEE uses for that kind of body (1 for the State, 19 for schools and
universities, 21 for communes, 22 for départements, 26 for hospitals…) only to look familiar.

The data is plain, frozen and free of side effects: the simulator serves it on the wire with
Chorus Pro's field names, and tests pick cases from it by the comment each structure carries.
Field meanings follow `structures/v1/consulter` and `consulter/service`:

- `service_required` is `parametres.codeServiceDoitEtreRenseigne`;
- `engagement_required` is `parametres.numeroEJDoitEtreRenseigne`;
- `service_or_engagement` is `parametres.gestionNumeroEJOuCodeService`;
- `payment_status_not_reported` is `parametres.statutMiseEnPaiementNestPasRemonte`;
- `Service.engagement_required` is the service's `parametres.numeroEngagement`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from decimal import Decimal

# The pseudo-service reserved for invoices between public entities. Chorus Pro rejects a
# supplier invoice addressed to it.
PUBLIC_INVOICES_SERVICE_CODE = "FACTURES_PUBLIQUES"


@dataclass(frozen=True)
class BankAccount:
    """One of the supplier's valid bank details (`recuperer/coordbanc/valides`)."""

    id: int  # idCoordonneeBancaire, sent as fournisseur.codeCoordonneesBancairesFournisseur
    name: str  # nomCoordonneeBancaire
    iban: str
    bic: str


@dataclass(frozen=True)
class Supplier:
    """The supplier structure that the technical account deposits invoices for."""

    id_structure_cpp: int
    siret: str
    designation: str
    technical_login: str
    technical_password_expiry: datetime  # informationGenerales.dateExpirationMotPasseCompteTech
    bank_accounts: tuple[BankAccount, ...]
    postal_code: str
    city: str
    address: str
    email: str


@dataclass(frozen=True)
class Service:
    """A service of a public structure (`rechercher/services`, `consulter/service`)."""

    id: int  # idService
    code: str  # codeService, sent as destinataire.codeServiceExecutant
    label: str  # libelleService
    active: bool = True  # estActif
    engagement_required: bool = False  # parametres.numeroEngagement of consulter/service


@dataclass(frozen=True)
class Engagement:
    """A legal commitment (engagement juridique, EJ) a State structure placed with a supplier."""

    number: str  # numeroEngagementJuridique, sent as references.numeroBonCommande
    supplier_id: int  # idStructureCPP of the supplier that received the order
    label: str
    amount: Decimal
    status: str = "COMMANDE"  # etatCourantEngagementJuridique


@dataclass(frozen=True)
class Structure:
    """A structure of the Chorus Pro directory, with the parameters that govern deposits to it."""

    id_structure_cpp: int
    siret: str
    designation: str
    postal_code: str
    city: str
    address: str
    structure_type: str = "PUBLIQUE"  # PUBLIQUE or PRIVEE
    active: bool = True  # statut ACTIVE / INACTIVE
    is_state: bool = False  # State structures have their engagement numbers checked
    service_required: bool = False
    engagement_required: bool = False
    service_or_engagement: bool = False
    payment_status_not_reported: bool = False
    services: tuple[Service, ...] = ()
    engagements: tuple[Engagement, ...] = ()
    email: str = ""

    def service_by_code(self, code: str) -> Service | None:
        """Return the service with this code (case-sensitive, as Chorus Pro compares), or None."""
        for service in self.services:
            if service.code == code:
                return service
        return None


DEMO_SUPPLIER = Supplier(
    id_structure_cpp=25790001,
    siret="81588139669879",
    designation="Atelier Verdier Maintenance SARL",
    technical_login="TECH_1_81588139669879@cpro.fr",
    technical_password_expiry=datetime(2027, 9, 30, 22, 0, tzinfo=timezone.utc),
    bank_accounts=(
        BankAccount(
            id=4107,
            name="Compte courant Atelier Verdier",
            iban="FR7617515900000451234567818",
            bic="CEPAFRPP751",
        ),
    ),
    postal_code="45210",
    city="Valmorin",
    address="12 rue des Ateliers",
    email="facturation@atelier-verdier.example",
)


def _services(first_id: int, rows: list[tuple]) -> tuple[Service, ...]:
    """Number services from `first_id`; each row is (code, label[, active[, engagement_required]])."""
    return tuple(Service(first_id + index, *row) for index, row in enumerate(rows))


def _engagements(*rows: tuple[str, str, str]) -> tuple[Engagement, ...]:
    """Build engagements placed with the demo supplier from (number, label, amount) rows."""
    return tuple(
        Engagement(number, DEMO_SUPPLIER.id_structure_cpp, label, Decimal(amount)) for number, label, amount in rows
    )


_PUBLIC_INVOICES = (PUBLIC_INVOICES_SERVICE_CODE, "Factures entre entités publiques")

STRUCTURES: tuple[Structure, ...] = (
    # Requires nothing: the simplest recipient, also lists the FACTURES_PUBLIQUES pseudo-service.
    Structure(
        25800101, "21170753455688", "Commune de Valmorin", "45210", "Valmorin", "1 place de la Mairie",
        services=_services(100101, [("MAIRIE", "Services généraux"), ("ECOLES", "Affaires scolaires"),
                                    _PUBLIC_INVOICES]),
        email="mairie@valmorin.example",
    ),
    # Requires a service code; one of its services is inactive.
    Structure(
        25800102, "21151884000015", "Commune de Beaurivage-sur-Orne", "14620", "Beaurivage-sur-Orne",
        "3 rue de la République", service_required=True,
        services=_services(100201, [("ST", "Services techniques"), ("CCAS", "Centre communal d'action sociale"),
                                    ("CULTURE", "Culture et patrimoine"), ("VOIRIE_OLD", "Ancienne voirie", False),
                                    ("FINANCES", "Direction des finances")]),
    ),
    # Requires a service code and has 14 services (two inactive), so the service list spans two pages.
    Structure(
        25800103, "21294055516987", "Ville de Montclair", "29400", "Montclair", "Hôtel de ville, place Jaurès",
        service_required=True,
        services=_services(100301, [
            ("DRH", "Direction des ressources humaines"), ("DSI", "Direction des systèmes d'information"),
            ("DST", "Direction des services techniques"), ("ESPACES_VERTS", "Espaces verts"),
            ("SPORTS", "Direction des sports"), ("CULTURE", "Direction de la culture"),
            ("EDUCATION", "Direction de l'éducation"), ("PETITE_ENFANCE", "Petite enfance"),
            ("POLICE_MUNICIPALE", "Police municipale"), ("URBANISME", "Urbanisme"),
            ("BATIMENTS", "Bâtiments communaux"), ("ARCHIVES", "Archives municipales", False),
            ("PARC_AUTO_2019", "Parc automobile (ancien)", False), _PUBLIC_INVOICES,
        ]),
    ),
    # Requires an engagement number and has no services at all.
    Structure(
        25800104, "21716897084691", "Commune de Lussac-les-Pins", "87140", "Lussac-les-Pins", "2 rue du Lavoir",
        engagement_required=True,
    ),
    # Requires a service code or an engagement number (either one is enough).
    Structure(
        25800105, "21788093908197", "Commune de Sainte-Aurore", "33790", "Sainte-Aurore", "5 allée des Tilleuls",
        service_or_engagement=True,
        services=_services(100501, [("ADMIN", "Administration générale"), ("TECHNIQUE", "Services techniques"),
                                    ("ENFANCE", "Enfance jeunesse"), ("RESTAURATION", "Restauration scolaire")]),
    ),
    # Requires both a service code and an engagement number.
    Structure(
        25800106, "21672731377843", "Commune d'Aubrac-le-Vieux", "12470", "Aubrac-le-Vieux", "Le Bourg",
        service_required=True, engagement_required=True,
        services=_services(100601, [("SECRETARIAT", "Secrétariat de mairie"), ("TRAVAUX", "Travaux")]),
    ),
    # Requires nothing but never reports MISE_EN_PAIEMENT, so MANDATEE is its last status.
    Structure(
        25800107, "21864887166340", "Commune de Port-Joliet", "56340", "Port-Joliet", "Quai de la Mairie",
        payment_status_not_reported=True,
        services=_services(100701, [("PORT", "Capitainerie"), ("MAIRIE", "Mairie")]),
    ),
    # Inactive structure (merged into another commune): deposits are rejected.
    Structure(
        25800108, "21400297475342", "Commune de Ribemont-la-Forêt (ancienne commune)", "40410",
        "Ribemont-la-Forêt", "Rue de l'Église", active=False,
        services=_services(100801, [("MAIRIE", "Mairie", False)]),
    ),
    # Requires a service code, 12 services (paging), one service that itself requires an engagement.
    Structure(
        25800109, "22778768604576", "Département du Haut-Vallon", "05100", "Vallon-Ville",
        "Hôtel du Département, 1 cours Carnot", service_required=True,
        services=_services(100901, [
            ("DGS", "Direction générale des services"), ("ROUTES", "Direction des routes"),
            ("COLLEGES", "Direction des collèges", True, True), ("SOLIDARITES", "Direction des solidarités"),
            ("PMI", "Protection maternelle et infantile"), ("ARCHIVES_DEP", "Archives départementales"),
            ("BIBLIOTHEQUE", "Bibliothèque départementale"), ("SDIS_LIAISON", "Liaison SDIS"),
            ("PATRIMOINE", "Patrimoine immobilier"), ("ENVIRONNEMENT", "Environnement"),
            ("TOURISME", "Tourisme", False), _PUBLIC_INVOICES,
        ]),
    ),
    # Requires a service code or an engagement number.
    Structure(
        25800110, "22178472171477", "Département de la Côte-d'Ambre", "17300", "Ambre-sur-Mer",
        "Maison du Département, 8 rue Neuve", service_or_engagement=True,
        services=_services(101001, [("DIR_FIN", "Direction des finances"), ("DIR_BAT", "Direction des bâtiments"),
                                    ("DIR_NUM", "Direction du numérique")]),
    ),
    # Requires an engagement number and never reports MISE_EN_PAIEMENT.
    Structure(
        25800111, "22513627410794", "Département des Marches-de-Sorre", "51120", "Sorre-la-Grande",
        "Place de la Préfecture", engagement_required=True, payment_status_not_reported=True,
        services=_services(101101, [("FINANCES", "Direction des finances")]),
    ),
    # Requires nothing at structure level, but one service requires an engagement number.
    Structure(
        25800112, "22819331484524", "Département du Val-d'Ysère", "73700", "Ysère-les-Bains",
        "17 avenue des Alpes",
        services=_services(101201, [("ROUTES", "Routes départementales"),
                                    ("LABO", "Laboratoire départemental", True, True)]),
    ),
    # Requires a service code and has 25 services, so the service list spans three pages.
    Structure(
        25800113, "20059972879292", "Région Grand-Littoral", "76000", "Port-Régis", "Hôtel de Région, 1 quai Nord",
        service_required=True,
        services=_services(101301, [
            ("LYCEES", "Direction des lycées"), ("TRANSPORTS", "Direction des transports"),
            ("FORMATION", "Formation professionnelle"), ("ECONOMIE", "Développement économique"),
            ("AGRICULTURE", "Agriculture et mer"), ("CULTURE", "Culture"), ("SPORT", "Sport"),
            ("TOURISME", "Tourisme"), ("NUMERIQUE", "Aménagement numérique"), ("FONDS_EUROPE", "Fonds européens"),
            ("RECHERCHE", "Enseignement supérieur et recherche"), ("SANTE", "Santé"),
            ("ENVIRONNEMENT", "Environnement"), ("ENERGIE", "Transition énergétique"),
            ("LOGISTIQUE", "Logistique"), ("IMMOBILIER", "Immobilier", True, True),
            ("JEUNESSE", "Jeunesse"), ("INTERNATIONAL", "Relations internationales"),
            ("COMMUNICATION", "Communication"), ("JURIDIQUE", "Affaires juridiques"),
            ("ACHATS", "Commande publique"), ("RH", "Ressources humaines"),
            ("SI", "Systèmes d'information"), ("ANCIEN_CESER", "Ancien CESER", False), _PUBLIC_INVOICES,
        ]),
    ),
    # Hospital: requires an engagement number and never reports MISE_EN_PAIEMENT.
    Structure(
        25800114, "26841622994868", "Centre hospitalier de Valmorin", "45210", "Valmorin", "20 avenue de l'Hôpital",
        engagement_required=True, payment_status_not_reported=True,
        services=_services(101401, [("ECONOMAT", "Économat"), ("PHARMACIE", "Pharmacie à usage intérieur"),
                                    ("BIOMED", "Ingénierie biomédicale"), ("TRAVAUX", "Services techniques"),
                                    ("RESTAURATION", "Restauration"), ("BLANCHISSERIE", "Blanchisserie", False)]),
    ),
    # University hospital: requires both, 15 services with some that require an engagement.
    Structure(
        25800115, "26628360561052", "Centre hospitalier universitaire de Montclair", "29400", "Montclair",
        "2 boulevard Laennec", service_required=True, engagement_required=True,
        services=_services(101501, [
            ("ACHATS", "Direction des achats"), ("DSN", "Direction du numérique"),
            ("PHARMA", "Pharmacie centrale", True, True), ("BIOMED", "Biomédical", True, True),
            ("TRAVAUX", "Travaux et maintenance"), ("LOGISTIQUE", "Logistique"), ("RESTAURATION", "Restauration"),
            ("FORMATION", "Institut de formation"), ("RECHERCHE", "Direction de la recherche"),
            ("QUALITE", "Qualité et gestion des risques"), ("TRANSPORTS", "Transports sanitaires"),
            ("LINGERIE", "Lingerie"), ("SECURITE", "Sécurité incendie"), ("ARCHIVES", "Archives médicales", False),
            _PUBLIC_INVOICES,
        ]),
    ),
    # Nursing home: requires nothing and has no services.
    Structure(
        25800116, "26500875575176", "EHPAD public Les Tilleuls", "24100", "Bergerac-Haut", "9 rue des Tilleuls",
    ),
    # University: requires a service code, 11 services (exactly one more than a default page).
    Structure(
        25800117, "19973091200011", "Université de Montclair", "29400", "Montclair", "Campus du Vallon",
        service_required=True,
        services=_services(101701, [
            ("AGENCE_COMPTABLE", "Agence comptable"), ("DPI", "Direction du patrimoine immobilier"),
            ("DSI", "Direction des systèmes d'information"), ("BU", "Bibliothèque universitaire"),
            ("UFR_SCIENCES", "UFR Sciences"), ("UFR_LETTRES", "UFR Lettres"), ("UFR_DROIT", "UFR Droit"),
            ("IUT", "Institut universitaire de technologie"), ("LABO_CHIMIE", "Laboratoire de chimie"),
            ("SUAPS", "Sports universitaires"), ("RELATIONS_INTER", "Relations internationales"),
        ]),
    ),
    # University: requires a service code or an engagement number.
    Structure(
        25800118, "19931860100010", "Université de la Côte-d'Ambre", "17300", "Ambre-sur-Mer", "1 avenue Océane",
        service_or_engagement=True,
        services=_services(101801, [("SERVICE_FACTURIER", "Service facturier"), ("PATRIMOINE", "Patrimoine")]),
    ),
    # Engineering school: requires an engagement number.
    Structure(
        25800119, "19208073702837", "École nationale supérieure des arts appliqués de Beaurivage", "14620",
        "Beaurivage-sur-Orne", "4 rue des Arts", engagement_required=True,
        services=_services(101901, [("AGENCE_COMPTABLE", "Agence comptable")]),
    ),
    # High school: its only service is FACTURES_PUBLIQUES, which suppliers must not use.
    Structure(
        25800120, "19799229069576", "Lycée polyvalent des Quatre-Vents", "56340", "Port-Joliet",
        "Route des Quatre-Vents", services=_services(102001, [_PUBLIC_INVOICES]),
    ),
    # State ministry: requires an engagement number that must exist (engagementsJuridiques).
    Structure(
        25800121, "11822264561642", "Ministère de la Transition numérique - Secrétariat général", "75007", "Paris",
        "20 avenue de Ségur", is_state=True, engagement_required=True,
        services=_services(102101, [("SG_BOP_148", "Secrétariat général - BOP 148"), _PUBLIC_INVOICES]),
        engagements=_engagements(("1300045127", "Maintenance des ascenseurs 2026", "18400.00"),
                                 ("1300045128", "Entretien des espaces verts", "9600.00"),
                                 ("1300051990", "Audit de sécurité des bâtiments", "31200.00")),
    ),
    # State regional finance office: requires both; the engagement must exist.
    Structure(
        25800122, "11252477264729", "Direction régionale des finances publiques du Grand-Littoral", "76000",
        "Port-Régis", "Cité administrative, 2 rue Colbert", is_state=True, service_required=True,
        engagement_required=True,
        services=_services(102201, [("DRFIP_LOGISTIQUE", "Pôle logistique"), ("DRFIP_IMMO", "Pôle immobilier"),
                                    ("DRFIP_ANCIEN", "Ancien pôle moyens", False)]),
        engagements=_engagements(("2100093210", "Réfection de la toiture", "54000.00"),
                                 ("2100093211", "Maintenance du chauffage", "7200.00")),
    ),
    # State prefecture: requires an engagement number that must exist.
    Structure(
        25800123, "11587718541330", "Préfecture du Haut-Vallon", "05100", "Vallon-Ville", "Place de la Préfecture",
        is_state=True, engagement_required=True,
        services=_services(102301, [("SGAR", "Secrétariat général"), ("CABINET", "Cabinet du préfet")]),
        engagements=_engagements(("1300067001", "Fournitures de bureau", "2500.00")),
    ),
    # Inactive State structure (service reorganised): deposits are rejected.
    Structure(
        25800124, "11017568420526", "Direction départementale des territoires du Val-d'Ysère (fermée)", "73700",
        "Ysère-les-Bains", "1 rue de la Gare", is_state=True, active=False, engagement_required=True,
        engagements=_engagements(("1300070000", "Études routières", "12000.00")),
    ),
    # State rectorate: requires a service code or an existing engagement number.
    Structure(
        25800125, "18594069900019", "Rectorat de l'académie de Montclair", "29400", "Montclair",
        "12 rue de l'Académie", is_state=True, service_or_engagement=True,
        services=_services(102501, [("DAF", "Division des affaires financières"), ("DSI", "Division informatique")]),
        engagements=_engagements(("1300081234", "Maintenance informatique des collèges", "45000.00")),
    ),
    # National public agency: requires a service code.
    Structure(
        25800126, "13589831048936", "Agence nationale des espaces naturels", "69007", "Lyon", "30 quai Perrache",
        service_required=True,
        services=_services(102601, [("SIEGE", "Siège"), ("PARC_SUD", "Délégation Sud"), ("PARC_NORD", "Délégation Nord")]),
    ),
    # Public housing office: requires a service code or an engagement number.
    Structure(
        25800127, "13949482700013", "Office public de l'habitat de Montclair", "29400", "Montclair",
        "8 rue Victor-Hugo", service_or_engagement=True,
        services=_services(102701, [("MAINTENANCE", "Maintenance du patrimoine"), ("ACHATS", "Achats")]),
    ),
    # Group of communes: requires nothing, a few services.
    Structure(
        25800128, "24416210321857", "Communauté de communes du Pays de Sorre", "51120", "Sorre-la-Grande",
        "Zone d'activités du Moulin", services=_services(102801, [("DECHETS", "Collecte des déchets"),
                                                                    ("EAU", "Eau et assainissement"),
                                                                    ("ADMIN", "Administration")]),
    ),
    # Metropolis: requires a service code, 13 services with three inactive.
    Structure(
        25800129, "24491452900015", "Métropole de Montclair", "29400", "Montclair", "1 esplanade de la Métropole",
        service_required=True,
        services=_services(102901, [
            ("MOBILITE", "Mobilités"), ("VOIRIE", "Voirie"), ("EAU", "Cycle de l'eau"), ("DECHETS", "Déchets"),
            ("ECONOMIE", "Développement économique"), ("HABITAT", "Habitat"), ("CULTURE", "Culture"),
            ("NUMERIQUE", "Numérique"), ("ACHATS", "Commande publique"), ("FINANCES", "Finances"),
            ("TRAM_2018", "Mission tramway (close)", False), ("PLU_2020", "Mission PLUi (close)", False),
            ("ASSAINISSEMENT_OLD", "Ancien service assainissement", False),
        ]),
    ),
    # Water syndicate: requires an engagement number (not checked, it is not a State body).
    Structure(
        25800130, "25106460600014", "Syndicat intercommunal des eaux de la Sorre", "51120", "Sorre-la-Grande",
        "Usine des eaux, chemin du Bief", engagement_required=True,
    ),
    # Requires a service code but every service is inactive: no deposit can succeed.
    Structure(
        25800131, "21304118955799", "Commune de Vieux-Moulin-sur-Orne", "14620", "Vieux-Moulin-sur-Orne",
        "Place du Moulin", service_required=True,
        services=_services(103101, [("MAIRIE_ANCIENNE", "Ancien secrétariat", False),
                                    ("TECHNIQUE_ANCIEN", "Ancien service technique", False)]),
    ),
    # Inactive structure that also requires a service code.
    Structure(
        25800132, "21906593561585", "Commune de Saint-Ours-les-Roches (ancienne commune)", "90200",
        "Saint-Ours-les-Roches", "Grande Rue", active=False, service_required=True,
        services=_services(103201, [("MAIRIE", "Mairie", False)]),
    ),
    # Private company: deposits through this tool are rejected (public recipients only).
    Structure(
        25800133, "84645060900017", "Transports Ambrois SAS", "69007", "Lyon", "45 rue de Gerland",
        structure_type="PRIVEE",
    ),
    # Private company with services: still rejected as a recipient.
    Structure(
        25800134, "85414659485388", "Boulangerie du Moulin SARL", "45210", "Valmorin", "7 rue du Four",
        structure_type="PRIVEE", services=_services(103401, [("COMPTA", "Comptabilité")]),
    ),
    # Private company, inactive.
    Structure(
        25800135, "80129110500014", "Cabinet Lefort Architectes", "33790", "Sainte-Aurore", "2 impasse Mansart",
        structure_type="PRIVEE", active=False,
    ),
)

STRUCTURES_BY_SIRET: dict[str, Structure] = {structure.siret: structure for structure in STRUCTURES}
STRUCTURES_BY_ID: dict[int, Structure] = {structure.id_structure_cpp: structure for structure in STRUCTURES}
