"""Every real export in shared/data/exports reads into the right number of records, with the
right values in named records.

Expected counts were taken from the files with independent tools (``grep -c '^ER'``,
``grep -c '^PMID-'``, Python's csv module, ``grep -o '<record>'``), and expected values were
read off the raw text with grep, never from this parser's output. A check is
(record index, field, expected): text fields must start with the expected text, tuple
fields must contain the expected item, other fields must be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from evidens.formats import detect_format, read_records

Check = tuple[int, str, Any]
# fmt: off
CASES: list[tuple[str, str, int, list[Check]]] = [
    ('ris/apa_psycnet_preamble_colrev.ris', 'ris', 1, [
        (0, 'title', 'Primary Title'), (0, 'authors', 'Author-One, Matthias'), (0, 'year', 2020),
        (0, 'pmid', '33355555'), (0, 'doi', '10.1011/hea0004444'),
        (0, 'accessions', ('psycinfo', '2020-55555-005')),
    ]),
    ('ris/cochrane_library_endnote_cff.ris', 'ris', 3, [
        (0, 'title', 'The Incredible Years Therapeutic Dinosaur Programme'),
        (0, 'authors', 'Bywater, T'), (0, 'year', 2011), (0, 'pmid', '21314913'),
        (0, 'doi', '10.1186/1745-6215-12-39'), (0, 'accessions', ('central', 'CN-00778158')),
        (0, 'source_database', 'central'), (-1, 'accessions', ('central', 'CN-02575572')),
        (1, 'accessions', ('embase', '643589775')),
    ]),
    ('ris/cochrane_library_procite_cff.ris', 'ris', 3, [
        (0, 'title', 'The Incredible Years Therapeutic Dinosaur Programme'),
        (0, 'authors', 'Bywater, T'), (0, 'journal', 'Trials'),
        (-1, 'title', 'The Incredible Years Parenting and Child Treatment Programs'),
    ]),
    ('ris/ebsco_cinahl_cff.ris', 'ris', 9, [
        (0, 'title', 'Osteohistological insight into the growth dynamics'),
        (0, 'authors', 'Curry Rogers, Kristina'), (0, 'year', 2024),
        (0, 'accessions', ('ebsco', '176404503')), (0, 'journal', 'PLoS ONE'),
        (-1, 'title', 'Comparative cranial osteology of subadult eucentrosauran'),
    ]),
    ('ris/ebsco_psycinfo_citesource.ris', 'ris', 64, [
        (0, 'title', 'The different role of trait empathy'), (0, 'authors', 'Lyu, Dong'),
        (0, 'year', 2022), (0, 'doi', '10.1016/j.neuropsychologia.2022.108369'),
        (0, 'source_database', 'psycinfo'), (-1, 'accessions', ('psycinfo', '2000-95017-038')),
    ]),
    ('ris/embase_elsevier_asreview.ris', 'ris', 6, [
        (0, 'title', 'Duplication cysts: Diagnosis, management'), (0, 'authors', 'Liu R.'),
        (0, 'year', 2014), (0, 'doi', '10.4103/2303-9027.138783'), (0, 'pages', '152-160'),
        (0, 'journal', 'Endoscopic Ultrasound'), (0, 'accessions', ('embase', '373791783')),
        (0, 'source_database', 'embase'), (-1, 'accessions', ('embase', '624782849')),
    ]),
    ('ris/embase_elsevier_cff_2024.ris', 'ris', 10, [
        (0, 'title', 'Cellular structure of dinosaur scales'), (0, 'authors', 'Yang, Z.'),
        (0, 'pmid', '38773066'), (0, 'doi', '10.1038/s41467-024-48400-3'),
        (-1, 'accessions', ('embase', '2030246463')), (-1, 'source_database', 'embase'),
    ]),
    ('ris/ovid_eric_cff.ris', 'ris', 10, [
        (0, 'title', 'Creationism and the Dinosaur Boom.'), (0, 'authors', 'Stokes, William Lee'),
        (0, 'year', 1989), (0, 'accessions', ('eric', 'EJ389705')),
        (-1, 'title', 'The Jurassic Spark.'), (-1, 'accessions', ('eric', 'EJ471630')),
    ]),
    ('ris/ovid_psycinfo_asreview.ris', 'ris', 6, [
        (0, 'title', 'The influence of self-criticism on depression'),
        (0, 'authors', 'Trindade, Ines A'), (0, 'year', 2019), (0, 'doi', '10.1002/cpp.2398'),
        (0, 'accessions', ('psycinfo', '2019-65183-001')),
        (-1, 'accessions', ('psycinfo', '2019-55194-001')),
    ]),
    ('ris/proquest_ptsdpubs_asreview.ris', 'ris', 6, [
        (0, 'title', 'Predictors of posttraumatic stress symptom trajectories'),
        (0, 'authors', 'Jones, Hannah'), (0, 'year', 2019), (0, 'doi', '10.1002/jts.22387'),
        (0, 'accessions', ('proquest', '2214991469')),
        (-1, 'accessions', ('proquest', '2032784247')),
    ]),
    ('ris/pubmed_via_endnote_asreview.txt', 'ris', 6, [
        (0, 'title', 'Boswellia serrata: an overall assessment'),
        (0, 'authors', 'Abdel-Tawab, M.'), (0, 'year', 2011),
        (0, 'doi', '10.2165/11586800-000000000-00000'), (0, 'source_database', 'pubmed'),
        (-1, 'title', 'Indigo Naturalis Ameliorates Oxazolone-Induced Dermatitis'),
    ]),
    ('ris/pubmed_via_zotero_asreview.ris', 'ris', 6, [
        (0, 'title', 'The importance of cognitive flexibility'), (0, 'authors', 'Rudnik, Agata'),
        (0, 'year', 2019), (0, 'doi', '10.5114/pg.2018.81081'),
        (-1, 'title', 'Efficacy and safety of Tripterygium wilfordii Hook F'),
    ]),
    ('ris/rayyan_multiline_kw_asreview.txt', 'ris', 19, [
        (0, 'title', 'Overcoming Medication Reconciliation Challenges'), (0, 'authors', ()),
        (0, 'accessions', ('rayyan', 'rayyan-264552525')), (0, 'keywords', 'Joint Commission'),
        (0, 'keywords', 'Medication Reconciliation'),
        (-1, 'title', 'Behavioral health care quality among marketplace insurers in 2019'),
    ]),
    ('ris/scopus_asreview.ris', 'ris', 6, [
        (0, 'title', 'Stress and the brain-gut axis'), (0, 'authors', 'Labanski, A.'),
        (0, 'year', 2020), (0, 'doi', '10.1016/j.psyneuen.2019.104501'), (0, 'issn', '03064530'),
        (0, 'source_database', 'scopus'),
        (-1, 'title', 'Role of brain imaging in disorders of brain-gut interaction'),
    ]),
    ('ris/scopus_cff_2024.ris', 'ris', 10, [
        (0, 'title', 'Global latitudinal gradients and the evolution of body size'),
        (0, 'authors', 'Wilson, L.N.'), (0, 'doi', '10.1038/s41467-024-46843-2'),
        (0, 'accessions', ('scopus', '2-s2.0-85189760133')),
        (-1, 'title', 'The evolution of femoral morphology in giant non-avian'),
    ]),
    ('ris/scopus_via_citavi_mixed.txt', 'ris', 7, [
        (0, 'title', 'Design and prototyping of directly driven outer rotor'),
        (0, 'authors', 'Vaimann, T.'), (0, 'year', 2018), (0, 'pages', '271-278'),
        (0, 'doi', '10.15598/aeee.v16i3.2698'),
        (-1, 'title', 'Influence of the motor load inertia and torque'),
    ]),
    ('ris/wos_asysd.ris', 'ris', 50, [
        (0, 'title', 'Microangiography of the humeral condyle'), (0, 'authors', 'Larsen, LJ'),
        (0, 'year', 1999), (0, 'source_database', 'wos'),
        (-1, 'title', 'Gallbladder mucocele in a 12-year-old cocker spaniel'),
        (-1, 'accessions', ('wos', 'WOS:000287992700018')),
    ]),
    ('ris/wos_cff.ris', 'ris', 10, [
        (0, 'title', 'New Horned Dinosaurs from Utah'), (0, 'authors', 'Sampson, SD'),
        (0, 'year', 2010), (0, 'doi', '10.1371/journal.pone.0012292'),
        (-1, 'accessions', ('wos', 'WOS:000457738300001')),
    ]),
    ('medline_nbib/biopython_pubmed_result1.txt', 'medline', 1, [
        (0, 'pmid', '12230038'), (0, 'title', 'The Bio* toolkits--a brief overview.'),
        (0, 'authors', 'Mangalam, Harry'), (0, 'year', 2002), (0, 'pages', '296-302'),
    ]),
    ('medline_nbib/biopython_pubmed_result2.txt', 'medline', 4, [
        (0, 'pmid', '16403221'), (0, 'title', 'A high level interface to SCOP and ASTRAL'),
        (0, 'authors', 'Casbon, James A'), (0, 'year', 2006), (0, 'doi', '10.1186/1471-2105-7-10'),
        (1, 'pages', '616-617'), (3, 'pages', '2308-2310'),
        (-1, 'pmid', '14630660'),
    ]),
    ('medline_nbib/jabref_NbibImporterTest.nbib', 'medline', 1, [
        (0, 'pmid', '27169098'), (0, 'title', 'Proteomics: A new perspective for cancer.'),
        (0, 'authors', 'Shruthi, Basavaradhya Sahukar'), (0, 'authors', 'Selvamani'),
        (0, 'doi', '10.4103/2277-9175.180636'), (0, 'year', 2016),
    ]),
    ('medline_nbib/pubmed_medline_named_ris_cff.ris', 'medline', 50, [
        (0, 'pmid', '30922926'), (0, 'title', 'Time lapse: A glimpse into prehistoric genomics.'),
        (0, 'authors', 'Griffin, Darren K'), (0, 'year', 2020),
        (0, 'doi', '10.1016/j.ejmg.2019.03.004'), (0, 'volume', '63'), (0, 'issue', '2'),
        (-1, 'pmid', '26605799'),
    ]),
    ('medline_nbib/restoration_pubmed_revtools.nbib', 'medline', 104, [
        (0, 'pmid', '30689646'), (0, 'title', 'Ecosystem services changes between 2000 and 2015'),
        (0, 'authors', 'Wu, Dan'), (0, 'doi', '10.1371/journal.pone.0209483'),
        (-1, 'pmid', '28098621'),
    ]),
    ('pubmed_xml/biopython_pubmed1.xml', 'pubmed_xml', 2, [
        (0, 'pmid', '12091962'), (0, 'title', 'The treatment of AIDS behind the walls'),
        (1, 'pmid', '9997'), (1, 'doi', '10.1016/0005-2795(76)90109-4'),
    ]),
    ('pubmed_xml/biopython_pubmed2.xml', 'pubmed_xml', 2, [
        (0, 'pmid', '11748933'), (0, 'doi', '10.1006/cryo.2001.2328'), (1, 'pmid', '11700088'),
        (1, 'title', 'Proton MRI of (13)C distribution'),
    ]),
    ('pubmed_xml/biopython_pubmed4.xml', 'pubmed_xml', 1, [
        (0, 'pmid', '27797938'), (0, 'title', 'Leucocyte telomere length, genetic variants'),
        (0, 'doi', '10.1136/gutjnl-2016-312510'), (0, 'pmcid', 'PMC5442267'),
    ]),
    ('pubmed_xml/jabref_MedlineImporterTestMathML.xml', 'pubmed_xml', 1, [
        (0, 'pmid', '32759406'), (0, 'title', 'CellML 2.0.'), (0, 'doi', '10.1515/jib-2020-0021'),
        (0, 'pmcid', 'PMC7756617'),
    ]),
    ('pubmed_xml/jabref_MedlineImporterTestPubmedBook.xml', 'pubmed_xml', 1, [
        (0, 'pmid', '21413195'), (0, 'accessions', ('ncbi_bookshelf', 'NBK51812')),
        (0, 'title', 'Rheumatoid Arthritis'),
    ]),
    ('pubmed_csv/pubmed_csv_cff.csv', 'pubmed_csv', 10, [
        (0, 'pmid', '30922926'), (0, 'authors', 'Griffin DK'), (0, 'authors', "O'Connor RE"),
        (0, 'year', 2020), (0, 'doi', '10.1016/j.ejmg.2019.03.004'), (0, 'pmcid', 'PMC7026692'),
        (0, 'volume', '63'), (0, 'issue', '2'), (0, 'pages', '103640'),
    ]),
    ('pubmed_csv/pubmed_csv_colrev_chatbot.csv', 'pubmed_csv', 6, [
        (0, 'pmid', '35227408'), (0, 'authors', 'Lim SM'), (0, 'year', 2022),
        (0, 'doi', '10.1016/j.beth.2021.09.007'), (0, 'pages', '334-347'), (0, 'pmcid', None),
    ]),
    ('wos_plaintext/wos_bibliometrix_2026.txt', 'wos_plaintext', 8, [
        (0, 'title', ('Mapping the application of Geographic Information System (GIS) in '
                      'real estate')),
        (0, 'authors', 'Toh, Ming Liang'), (0, 'year', 2026),
        (0, 'doi', '10.1080/00396265.2026.2635057'),
        (-1, 'accessions', ('wos', 'WOS:001492673800001')),
    ]),
    ('wos_plaintext/wos_metaknowledge_OnePaper.isi', 'wos_plaintext', 1, [
        (0, 'title', 'The Motion Behind the Symbols'), (0, 'authors', 'Nunez, Rafael'),
        (0, 'pmid', '23460466'), (0, 'accessions', ('wos', 'WOS:000317623000007')),
    ]),
    ('wos_plaintext/wos_metaknowledge_TwoPaper.isi', 'wos_plaintext', 2, [
        (0, 'title', 'Supervenience and causation'), (0, 'doi', '10.1023/A:1005282128866'),
        (-1, 'accessions', ('wos', 'WOS:000168001500006')),
    ]),
    ('wos_plaintext/wos_other_ref_software_knh.txt', 'wos_plaintext', 12, [
        (0, 'title', "Caregivers' views on stigmatization"), (0, 'pmid', '29377890'),
        (0, 'authors', 'Asampong, Emmanuel'), (-1, 'accessions', ('wos', 'WOS:000424003200017')),
    ]),
    ('wos_plaintext/wos_rispy_example.txt', 'wos_plaintext', 2, [
        (0, 'title', 'Interactions stabilizing the structure of the core light-harvesting'),
        (0, 'authors', 'Parkes-Loach, PS'), (0, 'pmid', '15170338'), (0, 'year', 2004),
        (-1, 'accessions', ('wos', 'WOS:000221807500020')),
    ]),
    ('wos_plaintext/zoological_record_litsearchr.txt', 'wos_plaintext', 134, [
        (0, 'title', 'Nest site selection and nest survival of Black-backed Woodpeckers'),
        (0, 'authors', 'Stillman, Andrew N.'),
        (0, 'year', 2019), (0, 'accessions', ('zoorec', 'ZOOREC:ZOOR15512090342')),
        (-1, 'accessions', ('zoorec', 'ZOOREC:ZOOR03700000025')),
    ]),
    ('wos_tabdelimited/wos_tab_scientopy_2017.txt', 'wos_tabdelimited', 125, [
        (0, 'title', 'Privacy-preserving protocols for secure and reliable data aggregation'),
        (0, 'authors', 'Tonyali, Samet'), (0, 'authors', 'Nojoumian, Mehrdad'), (0, 'year', 2018),
        (0, 'volume', '78'), (-1, 'accessions', ('wos', 'WOS:000301071700001')),
    ]),
    ('wos_tabdelimited/wos_tab_scientopy_2026.txt', 'wos_tabdelimited', 71, [
        (0, 'authors', 'Sheeja Prakash, Karthika'), (0, 'authors', 'Andersen, Erik'),
        (-1, 'accessions', ('wos', 'WOS:001394833300001')),
    ]),
    ('scopus_csv/scopus_bibliometrix_2026.csv', 'scopus_csv', 8, [
        (0, 'title', 'Quantitative analysis of studies that use artificial intelligence'),
        (0, 'authors', 'Liu F.'), (0, 'year', 2026), (0, 'doi', '10.1177/20552076261415846'),
        (0, 'accessions', ('scopus', '2-s2.0-105030721984')), (0, 'journal', 'Digital Health'),
        (-1, 'year', 2025), (-1, 'doi', '10.1097/MD.0000000000046229'),
    ]),
    ('scopus_csv/scopus_cff_2024.csv', 'scopus_csv', 10, [
        (0, 'pmid', '38580657'), (0, 'doi', '10.1038/s41467-024-46843-2'),
        (-1, 'accessions', ('scopus', '2-s2.0-85191998754')), (-1, 'pmid', None),
    ]),
    ('vendor_csv/cochrane_central_cff.csv', 'vendor_csv', 3, [
        (0, 'accessions', ('central', 'CN-00778158')), (0, 'pmid', '21314913'),
        (0, 'authors', 'Bywater, T'), (0, 'year', 2011),
        (1, 'accessions', ('embase', '643589775')), (-1, 'doi', '10.5093/pi2022a2'),
        (-1, 'year', 2022),
    ]),
    ('vendor_csv/ebsco_cinahl_cff.csv', 'vendor_csv', 10, [
        (0, 'accessions', ('ebsco', '176404503')), (0, 'issn', '19326203'), (0, 'year', 2024),
        (0, 'doi', '10.1371/journal.pone.0298242'), (-1, 'issn', '00788562'),
    ]),
    ('vendor_csv/embase_asreview.csv', 'vendor_csv', 6, [
        (0, 'title', 'Duplication cysts: Diagnosis, management'), (0, 'authors', 'Adler D.G.'),
        (0, 'journal', 'Endoscopic Ultrasound'), (0, 'year', 2014), (0, 'volume', '3'),
        (0, 'issue', '3'), (0, 'pages', '152-160'), (-1, 'authors', 'Seifman B.'),
        (-1, 'year', 2017),
    ]),
    ('vendor_csv/embase_cff_with_query_preamble.csv', 'vendor_csv', 10, [
        (0, 'title', 'Cellular structure of dinosaur scales'), (0, 'pmid', '38773066'),
        (0, 'accessions', ('embase', '2029880245')), (0, 'doi', '10.1038/s41467-024-48400-3'),
        (-1, 'pmid', '38887924'), (-1, 'doi', '10.1002/ar.25520'),
    ]),
    ('vendor_csv/lens_bibliometrix.csv', 'vendor_csv', 8, [
        (0, 'accessions', ('lens', '000-360-106-493-122')), (0, 'pmid', '33251087'),
        (0, 'doi', '10.1007/s10669-020-09792-x'), (-1, 'pmid', None),
        (-1, 'title', 'Un análisis bibliométrico del brand equity'),
    ]),
    ('vendor_csv/openalex_cff.csv', 'vendor_csv', 9, [
        (0, 'accessions', ('openalex', 'W4387881419')),
        (0, 'doi', '10.1016/j.cretres.2023.105752'), (0, 'year', 2024),
        (0, 'authors', 'Alba Vicente'), (0, 'journal', 'Cretaceous Research'),
        (-1, 'doi', '10.1130/ges02662.1'),
    ]),
    ('endnote_xml/jabref_EndnoteXmlImporterTestArticle.xml', 'endnote_xml', 1, [
        (0, 'title', ('Trends in the lifetime risk of developing cancer in Great Britain: '
                      'comparison')),
        (0, 'authors', 'Ahmad, AS'), (0, 'year', 2015), (0, 'doi', '10.1038/bjc.2014.606'),
        (0, 'pmid', '25647015'),
    ]),
    ('endnote_xml/jabref_EndnoteXmlImporterTestArticle2.xml', 'endnote_xml', 2, [
        (0, 'title', 'An ecological basis for reforestation'), (0, 'authors', 'Chapman, A. G.'),
        (0, 'year', 1937), (0, 'pages', '93-105'), (0, 'journal', 'Ecology'),
    ]),
    ('endnote_xml/jabref_EndnoteXmlImporterTestLabelAndMultiTitle.xml', 'endnote_xml', 3, [
        (0, 'title', 'An ecological basis for reforestation of submariginal lands'),
        (0, 'volume', '18'), (0, 'issue', '1'), (0, 'issn', '0012-9658'),
        (0, 'accessions', ('wos', 'WOS:000200148800007')),
    ]),
    ('endnote_xml/mendeley_endnote_xml_asysd.xml', 'endnote_xml', 1233, [
        (0, 'authors', 'Rotter, Carina'), (0, 'authors', 'Rusbridge, Clare'), (0, 'year', 2022),
        (0, 'doi', '10.1111/jvim.16404'), (0, 'publication_types', 'Journal Article'),
    ]),
    ('bibtex/gbk_encoded_bibtexparser.bib', 'bibtex', 1, [
        (0, 'authors', '凯撒'), (0, 'journal', '测试期刊'), (0, 'year', 2013),
    ]),
    ('bibtex/scopus_bibtex_colrev.bib', 'bibtex', 11, [
        (0, 'doi', '10.1111/88888888.2022.7777777'), (0, 'authors', 'Firstwriter, Z.'),
        (0, 'source_database', 'scopus'), (0, 'year', 2022),
    ]),
    ('bibtex/wos_bibtex_colrev.bib', 'bibtex', 2, [
        (0, 'accessions', ('wos', 'WOS:000223334444221')),
        (0, 'doi', '10.1007/999-9-999-99999-9_3'), (0, 'authors', 'Writerone, Julia'),
        (-1, 'doi', '10.1111/artjul.2021.0011'),
    ]),
    ('bibtex/zotero_bibtex_asysd.bib', 'bibtex', 1000, [
        (0, 'title', 'Microangiography of the humeral condyle in Cocker Spaniel'),
        (0, 'volume', '12'), (0, 'issn', '0932-0814'),
        (-1, 'title', 'Radiographic diagnosis-paraspinal abscess in a dog'),
        (-1, 'doi', '10.1111/j.1740-8261.2005.00004.x'),
    ]),
    ('ovid_tagged/embase_ovid_citavi_knh.ovd', 'ovid_tagged', 2, [
        (0, 'title', 'Quality of life in patients with primary ciliary dyskinesia'),
        (0, 'accessions', ('embase', '621381829')), (0, 'authors', 'Behan L.'),
        (0, 'doi', '10.1186/s12919-018-0099-8'), (0, 'year', 2018),
        (0, 'journal', 'BMC Proceedings'), (-1, 'accessions', ('embase', '621381823')),
        (0, 'volume', '12'), (0, 'issue', 'Supplement 3'),
    ]),
    ('ovid_tagged/embase_ovid_endnote_knh.cgi', 'ovid_tagged', 2, [
        (0, 'abstract', 'Background: As in most rare diseases'),
        (0, 'subject_headings', '*quality of life'), (-1, 'authors', 'Server E.A.'),
    ]),
    ('ctgov_download/ctgov_website_download_small.json', 'ctgov_json', 1, [
        (0, 'registry_ids', 'NCT02663973'), (0, 'accessions', ('ctgov', 'NCT02663973')),
        (0, 'title', 'Prospective Evaluation of Breast Cancer at Brazilian Institutions'),
        (0, 'authors', 'Latin American Cooperative Oncology Group'),
    ]),
    ('ctgov_download/ctgov_classic_search_results.tsv', 'ctgov_csv', 40, [
        (0, 'registry_ids', 'NCT05600257'),
        (0, 'title', 'The Effect of Digital Breast Tomosynthesis'),
    ]),
    ('ctgov_download/ctgov_website_download_2cols.csv', 'ctgov_csv', 111, [
        (0, 'registry_ids', 'NCT07358260'), (0, 'title', 'B7-H3.CD28Z.CART in Solid Tumors'),
        (-1, 'registry_ids', 'NCT03014804'),
    ]),
    ('ictrp_xml/ictrp_export_2024.xml', 'ictrp_xml', 95, [
        (0, 'registry_ids', 'NCT06360289'), (0, 'year', 2024), (-1, 'registry_ids', 'NCT00294671'),
    ]),
]
# fmt: on


def _check(actual: Any, expected: Any) -> bool:
    if isinstance(actual, tuple) and expected != ():
        return expected in actual
    if isinstance(actual, str) and isinstance(expected, str):
        return actual.startswith(expected)
    return bool(actual == expected)


@pytest.mark.parametrize(("path", "format_id", "count", "checks"), CASES, ids=[c[0] for c in CASES])
def test_sample_reads_with_expected_values(
    shared_dir: Path, path: str, format_id: str, count: int, checks: list[Check]
) -> None:
    data = (shared_dir / "data" / "exports" / path).read_bytes()
    assert detect_format(data, name=path) == format_id
    result = read_records(data, name=path)
    assert result.format == format_id
    assert len(result.records) == count
    for index, field, expected in checks:
        actual = getattr(result.records[index], field)
        assert _check(actual, expected), f"record {index} {field}: {actual!r} vs {expected!r}"
    assert all(record.raw for record in result.records)
    assert all((record.source_line or 0) >= 1 for record in result.records)


def test_every_sample_file_has_a_case(shared_dir: Path) -> None:
    exports = shared_dir / "data" / "exports"
    on_disk = {
        str(p.relative_to(exports))
        for p in exports.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    assert on_disk == {case[0] for case in CASES}
