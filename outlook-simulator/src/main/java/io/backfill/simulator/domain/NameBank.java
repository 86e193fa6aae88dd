package io.backfill.simulator.domain;

import java.text.Normalizer;
import java.util.List;
import java.util.Locale;

/** Names the generator draws from: fictional organisations and international, unicode names. */
final class NameBank {

  static final List<String> FIRST_NAMES =
      List.of(
          "Alice",
          "Bruno",
          "Chloé",
          "Dmitri",
          "Elif",
          "François",
          "Grace",
          "Hiroshi",
          "Inès",
          "Jürgen",
          "Kateřina",
          "Luis",
          "Maëlle",
          "Nikolai",
          "Olúwaseun",
          "Priya",
          "Quentin",
          "Renée",
          "Søren",
          "Tomás",
          "Ulla",
          "Valentina",
          "Wojciech",
          "Ximena",
          "Yusuf",
          "Zoë",
          "Ágnes",
          "Björn",
          "Łukasz",
          "Dương",
          "Ngozi",
          "Mei",
          "Rahul",
          "Sara",
          "Omar",
          "Hannah");

  static final List<String> LAST_NAMES =
      List.of(
          "Müller",
          "Núñez",
          "O'Brien",
          "Østergaard",
          "Kowalczyk",
          "García",
          "Nakamura",
          "Öztürk",
          "Dubois",
          "Chen",
          "Novák",
          "Okafor",
          "Sørensen",
          "Lindqvist",
          "Papadopoulos",
          "Schäfer",
          "Fernández",
          "Kim",
          "Nguyễn",
          "Ivanova",
          "Rossi",
          "Svensson",
          "Adeyemi",
          "Haddad",
          "Brennan",
          "Wiśniewska",
          "Patel",
          "Ramírez",
          "Jansen",
          "Yılmaz");

  static final List<Organisation> ORGANISATIONS =
      List.of(
          new Organisation("Contoso", "contoso.com"),
          new Organisation("Fabrikam", "fabrikam.com"),
          new Organisation("Northwind Traders", "northwindtraders.com"),
          new Organisation("Tailspin Toys", "tailspintoys.com"),
          new Organisation("Woodgrove Bank", "woodgrovebank.com"),
          new Organisation("Adventure Works", "adventure-works.com"),
          new Organisation("Litware", "litwareinc.com"),
          new Organisation("Alpine Ski House", "alpineskihouse.com"),
          new Organisation("Wide World Importers", "wideworldimporters.com"),
          new Organisation("Coho Winery", "cohowinery.com"),
          new Organisation("Proseware", "proseware.com"),
          new Organisation("Lucerne Publishing", "lucernepublishing.com"),
          new Organisation("Trey Research", "treyresearch.net"),
          new Organisation("Fourth Coffee", "fourthcoffee.com"),
          new Organisation("Blue Yonder Airlines", "blueyonderairlines.com"),
          new Organisation("Humongous Insurance", "humongousinsurance.com"),
          new Organisation("Wingtip Toys", "wingtiptoys.com"),
          new Organisation("Relecloud", "relecloud.com"),
          new Organisation("Münchner Feinmechanik", "muenchner-feinmechanik.de"),
          new Organisation("Société Générale des Eaux", "sge-eaux.fr"));

  static final List<String> TITLES =
      List.of(
          "Account Manager",
          "Procurement Lead",
          "CFO",
          "Head of Operations",
          "Legal Counsel",
          "Product Manager",
          "Senior Engineer",
          "Logistics Coordinator",
          "Sales Director",
          "Office Manager",
          "Data Analyst",
          "VP Partnerships");

  static final List<String> TOPICS =
      List.of(
          "Q3 budget review",
          "Contract renewal",
          "Shipment delay on order",
          "Offsite planning",
          "Security questionnaire",
          "Invoice discrepancy",
          "Pilot results",
          "Hiring plan",
          "Pricing proposal",
          "Quarterly business review",
          "Data migration cutover",
          "Warehouse lease",
          "Partnership intro",
          "Audit follow-up",
          "Roadmap sync");

  /** Sentences that mention a third party: {person}, {org}, {day}, {amount}, {topic}. */
  static final List<String> MENTIONS =
      List.of(
          "I spoke with {person} from {org} yesterday about the {topic}.",
          "{person} ({org}) confirmed they can deliver by {day}.",
          "Could you set up a call with {person} at {org} before {day}?",
          "{person} from {org} sent over the revised numbers, roughly {amount} in total.",
          "According to {person}, {org} wants the {topic} signed off by {day}.");

  /** Sentences without entities, to pad bodies to their size. */
  static final List<String> FILLER =
      List.of(
          "Let me know if anything in the plan needs to change.",
          "The numbers below are still preliminary and may move once finance has reviewed them.",
          "We agreed to revisit the timeline after the next steering meeting.",
          "Action items were captured in the shared tracker and owners have been assigned.",
          "The previous estimate did not include the integration testing phase.",
          "Please review the open questions and add comments where you disagree.",
          "Risks remain around vendor lead times and the availability of the test environment.",
          "We will keep the current scope and move the optional items to the next phase.",
          "There were no objections to the proposed acceptance criteria.",
          "The meeting notes from last week are summarised here for reference.",
          "Line 14 of the schedule still assumes the old delivery window.",
          "The team flagged two dependencies that could slip if approvals are late.");

  private NameBank() {}

  /** The ASCII local part of an address for a unicode name: "Zoë Núñez" to "zoe.nunez". */
  static String localPart(String name) {
    String folded =
        name.toLowerCase(Locale.ROOT)
            .replace("ø", "o")
            .replace("ł", "l")
            .replace("ß", "ss")
            .replace("ı", "i")
            .replace("đ", "d");
    folded = Normalizer.normalize(folded, Normalizer.Form.NFD).replaceAll("\\p{M}", "");
    return folded.replaceAll("[^a-z ]", "").trim().replace(' ', '.');
  }
}
