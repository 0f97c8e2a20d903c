"""The demo regencies' issuing offices: the permit office (DPMPTSP) and the BPJS branch.

Everything here is illustrative: the signers are invented people (their NIPs only have the
right form), the addresses and telephone numbers are plausible, not looked up, and the logos are
plain stand-in shields with the office's initials, not the regencies' arms. BPJS
Ketenagakerjaan staff are not civil servants and have no NIP, so the branch signers have none.
"""

from __future__ import annotations

from sqlalchemy import select

from app.models import BranchOffice, Letterhead, OfficeKind, Regency

# code, town in the date line, area code, domain, DPMPTSP head (name, NIP), branch head
OFFICES = [
    (
        "61.06",
        "Putussibau",
        "0567",
        "kapuashulukab.go.id",
        ("Antonius Lawing, S.Sos., M.Si.", "197405162000031004"),
        "Maria Goreti Sinaga",
    ),
    (
        "62.03",
        "Kuala Kapuas",
        "0513",
        "kapuaskab.go.id",
        ("Drs. Rahmadi Noor, M.AP.", "198503122010011004"),
        "Hendra Saputra",
    ),
    (
        "62.05",
        "Muara Teweh",
        "0519",
        "baritoutarakab.go.id",
        ("Siti Mariani, S.E., M.M.", "197811202005022001"),
        "Yohanes Dwi Prasetyo",
    ),
    (
        "62.71",
        "Palangka Raya",
        "0536",
        "palangkaraya.go.id",
        ("Ir. Bambang Tjilik, M.T.", "196912071996031002"),
        "Dewi Kartika Sari",
    ),
]
PERMIT_OFFICE = "DINAS PENANAMAN MODAL DAN PELAYANAN TERPADU SATU PINTU"


def stand_in_logo(initials: str, colour: str) -> bytes:
    """A plain shield with initials: a stand-in where the regency's arms would go."""
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 100 120" width="100" height="120">'
        f'<path d="M50 4 L94 18 L94 62 C94 92 72 110 50 116 C28 110 6 92 6 62 L6 18 Z" '
        f'fill="{colour}" stroke="#1f2a30" stroke-width="3"/>'
        '<path d="M50 16 L84 27 L84 62 C84 84 68 98 50 103 C32 98 16 84 16 62 L16 27 Z" '
        'fill="none" stroke="#f5d76e" stroke-width="2"/>'
        f'<text x="50" y="70" font-family="DejaVu Sans" font-size="22" font-weight="bold" '
        f'fill="#ffffff" text-anchor="middle">{initials}</text></svg>'
    ).encode()


def seed(session) -> int:
    """Add the demo offices' letterheads that are missing; return how many were added."""
    session.flush()
    added = 0
    for code, town, area, domain, (head, nip), branch_head in OFFICES:
        regency = session.scalars(select(Regency).where(Regency.code == code)).first()
        if regency is None:  # its province's areas are not loaded
            continue
        short = regency.name.removeprefix("Kabupaten ").removeprefix("Kota ")
        government = f"PEMERINTAH {regency.name.upper()}"
        initials = "".join(word[0] for word in short.split())[:3].upper()
        offices = [
            Letterhead(
                kind=OfficeKind.PERMIT_OFFICE,
                regency=regency,
                heading=f"{government}\n{PERMIT_OFFICE}",
                address=f"Jl. Jenderal Sudirman No. 12, {town}",
                phone=f"({area}) 21045",
                email=f"dpmptsp@{domain}",
                website=f"dpmptsp.{domain}",
                logo=stand_in_logo(initials, "#0b5d4b"),
                logo_type="image/svg+xml",
                unit_code="DPMPTSP",
                number_pattern="503/{seq}/{unit}/{month-roman}/{year}",
                place=town,
                signer_name=head,
                signer_position=f"Kepala Dinas Penanaman Modal dan PTSP {regency.name}",
                signer_nip=nip,
            )
        ]
        branch = session.scalars(
            select(BranchOffice).where(BranchOffice.regencies.any(Regency.id == regency.id))
        ).first()
        if branch is not None:
            offices.append(
                Letterhead(
                    kind=OfficeKind.BPJS_BRANCH,
                    regency=regency,
                    branch_office=branch,
                    heading=f"BPJS KETENAGAKERJAAN\nKANTOR CABANG {branch.name.upper()}",
                    address=branch.address,
                    phone=f"({area}) 23150",
                    website="www.bpjsketenagakerjaan.go.id",
                    logo=stand_in_logo("BPJS", "#1b7a3e"),
                    logo_type="image/svg+xml",
                    unit_code=f"KC-{branch.code}",
                    place=town,
                    signer_name=branch_head,
                    signer_position=f"Kepala Kantor Cabang {branch.name}",
                )
            )
        kept = set(
            session.scalars(select(Letterhead.kind).where(Letterhead.regency_id == regency.id))
        )
        fresh = [office for office in offices if office.kind not in kept]
        session.add_all(fresh)
        added += len(fresh)
    session.flush()
    return added
