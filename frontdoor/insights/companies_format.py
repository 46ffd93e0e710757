"""The Companies House "Free Company Data Product" file format, as published."""

# The header exactly as published: 55 names, 14 of them with a leading space.
HEADER = (
    "CompanyName, CompanyNumber,RegAddress.CareOf,RegAddress.POBox,RegAddress.AddressLine1,"
    " RegAddress.AddressLine2,RegAddress.PostTown,RegAddress.County,RegAddress.Country,"
    "RegAddress.PostCode,CompanyCategory,CompanyStatus,CountryOfOrigin,DissolutionDate,"
    "IncorporationDate,Accounts.AccountRefDay,Accounts.AccountRefMonth,Accounts.NextDueDate,"
    "Accounts.LastMadeUpDate,Accounts.AccountCategory,Returns.NextDueDate,"
    "Returns.LastMadeUpDate,Mortgages.NumMortCharges,Mortgages.NumMortOutstanding,"
    "Mortgages.NumMortPartSatisfied,Mortgages.NumMortSatisfied,SICCode.SicText_1,"
    "SICCode.SicText_2,SICCode.SicText_3,SICCode.SicText_4,LimitedPartnerships.NumGenPartners,"
    "LimitedPartnerships.NumLimPartners,URI,PreviousName_1.CONDATE, PreviousName_1.CompanyName,"
    " PreviousName_2.CONDATE, PreviousName_2.CompanyName,PreviousName_3.CONDATE,"
    " PreviousName_3.CompanyName,PreviousName_4.CONDATE, PreviousName_4.CompanyName,"
    "PreviousName_5.CONDATE, PreviousName_5.CompanyName,PreviousName_6.CONDATE,"
    " PreviousName_6.CompanyName,PreviousName_7.CONDATE, PreviousName_7.CompanyName,"
    "PreviousName_8.CONDATE, PreviousName_8.CompanyName,PreviousName_9.CONDATE,"
    " PreviousName_9.CompanyName,PreviousName_10.CONDATE, PreviousName_10.CompanyName,"
    "ConfStmtNextDueDate, ConfStmtLastMadeUpDate"
)
RAW_COLUMNS = HEADER.split(",")
COLUMNS = [name.strip() for name in RAW_COLUMNS]
assert len(COLUMNS) == 55 and sum(n != n.strip() for n in RAW_COLUMNS) == 14

# The columns the import keeps, and their short names in the stored snapshot.
KEPT = {
    "CompanyName": "name",
    "CompanyNumber": "number",
    "RegAddress.PostCode": "postcode_raw",
    "CompanyStatus": "status",
    "DissolutionDate": "dissolved_raw",
    "IncorporationDate": "incorporated_raw",
    "Accounts.AccountCategory": "accounts",
    "SICCode.SicText_1": "sic_text_1",
    "SICCode.SicText_2": "sic_text_2",
    "SICCode.SicText_3": "sic_text_3",
    "SICCode.SicText_4": "sic_text_4",
    # Only read to check the row: a row with a stray field has its values out of place (the
    # URI no longer ends with the company number); a row ending before it lacks the URI.
    "URI": "uri",
}

ACCOUNT_CATEGORIES = [
    "MICRO ENTITY",
    "NO ACCOUNTS FILED",
    "TOTAL EXEMPTION FULL",
    "DORMANT",
    "SMALL",
    "MEDIUM",
    "FULL",
    "GROUP",
    "UNAUDITED ABRIDGED",
    "TOTAL EXEMPTION SMALL",
    "AUDIT EXEMPTION SUBSIDIARY",
    "ACCOUNTS TYPE NOT AVAILABLE",
    "FILING EXEMPTION SUBSIDIARY",
    "PARTIAL EXEMPTION",
    "INITIAL",
]

# The size bands shown for the accounts category: the register's only size signal.
SIZE_BANDS = {
    "MICRO ENTITY": "Micro",
    "TOTAL EXEMPTION FULL": "Small (exempt from audit)",
    "TOTAL EXEMPTION SMALL": "Small (exempt from audit)",
    "UNAUDITED ABRIDGED": "Small (exempt from audit)",
    "PARTIAL EXEMPTION": "Small (exempt from audit)",
    "AUDIT EXEMPTION SUBSIDIARY": "Subsidiary (exempt)",
    "FILING EXEMPTION SUBSIDIARY": "Subsidiary (exempt)",
    "SMALL": "Small",
    "MEDIUM": "Medium",
    "FULL": "Large (full accounts)",
    "GROUP": "Group accounts",
    "DORMANT": "Dormant",
    "NO ACCOUNTS FILED": "No accounts filed yet",
}
SIZE_ORDER = [
    "Micro",
    "Small (exempt from audit)",
    "Small",
    "Medium",
    "Large (full accounts)",
    "Group accounts",
    "Subsidiary (exempt)",
    "Dormant",
    "No accounts filed yet",
    "Other or not given",
]
