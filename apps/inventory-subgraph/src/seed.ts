import type { InventoryDb } from "./repository.ts";

export interface SeededProduct {
  sku: string;
  name: string;
  description: string;
  priceCents: number;
  stockAvailable: number;
}

/**
 * The demo catalogue of a small electronics and home-office shop, in USD. Stock varies on purpose: a few products
 * are sold out (MN-0004, CH-0003, HS-0003, WC-0003) and a few are nearly gone (DK-0003: 1 left, MN-0005: 2,
 * CH-0004: 3), so out-of-stock paths can be tried by hand.
 */
export const SEEDED_PRODUCTS: readonly SeededProduct[] = [
  { sku: "KB-0001", name: "Compact Mechanical Keyboard", description: "A 75% keyboard with hot-swappable tactile switches and a detachable USB-C cable.", priceCents: 8999, stockAvailable: 120 },
  { sku: "KB-0002", name: "Full-Size Wireless Keyboard", description: "A quiet low-profile keyboard that pairs with up to three devices over Bluetooth.", priceCents: 5999, stockAvailable: 85 },
  { sku: "KB-0003", name: "Ergonomic Split Keyboard", description: "A split, tented keyboard that keeps wrists straight through long typing sessions.", priceCents: 14999, stockAvailable: 24 },
  { sku: "KB-0004", name: "Tenkeyless Keyboard, Linear Switches", description: "A compact board without a number pad, with smooth linear switches for fast typing.", priceCents: 7499, stockAvailable: 60 },
  { sku: "KB-0005", name: "Wireless Numeric Keypad", description: "A slim standalone number pad for spreadsheets and accounting work.", priceCents: 2499, stockAvailable: 140 },
  { sku: "MS-0001", name: "Wireless Ergonomic Mouse", description: "A sculpted right-handed mouse with a thumb rest and a rechargeable battery.", priceCents: 4999, stockAvailable: 150 },
  { sku: "MS-0002", name: "Vertical Mouse", description: "A vertical grip mouse that keeps the forearm in a natural handshake position.", priceCents: 3999, stockAvailable: 70 },
  { sku: "MS-0003", name: "Travel Mouse", description: "A small Bluetooth mouse that slips into a laptop sleeve.", priceCents: 1999, stockAvailable: 200 },
  { sku: "MS-0004", name: "Trackball Mouse", description: "A thumb-operated trackball that needs almost no desk space.", priceCents: 5499, stockAvailable: 35 },
  { sku: "MN-0001", name: "27-inch 4K Monitor", description: "A 27-inch IPS display at 3840x2160 with USB-C power delivery.", priceCents: 39999, stockAvailable: 18 },
  { sku: "MN-0002", name: "24-inch Full HD Monitor", description: "A 24-inch 1080p display with thin bezels, made for multi-monitor setups.", priceCents: 15999, stockAvailable: 45 },
  { sku: "MN-0003", name: "34-inch Ultrawide Monitor", description: "A curved 34-inch 3440x1440 display with a 100 Hz refresh rate.", priceCents: 54999, stockAvailable: 9 },
  { sku: "MN-0004", name: "15.6-inch Portable Monitor", description: "A USB-C powered second screen that folds into its own stand.", priceCents: 18999, stockAvailable: 0 },
  { sku: "MN-0005", name: "32-inch 4K Creator Monitor", description: "A factory-calibrated 32-inch panel covering 98% of DCI-P3.", priceCents: 89999, stockAvailable: 2 },
  { sku: "CB-0001", name: "USB-C to USB-C Cable, 2 m", description: "A braided 100 W charging and 10 Gbps data cable.", priceCents: 1499, stockAvailable: 200 },
  { sku: "CB-0002", name: "HDMI 2.1 Cable, 2 m", description: "An ultra high speed HDMI cable for 4K at 120 Hz.", priceCents: 1299, stockAvailable: 180 },
  { sku: "CB-0003", name: "DisplayPort 1.4 Cable, 1.8 m", description: "A DisplayPort cable rated for 8K at 60 Hz.", priceCents: 1399, stockAvailable: 95 },
  { sku: "CB-0004", name: "Cat 6 Ethernet Cable, 5 m", description: "A snagless gigabit network cable in a flat, easy-to-route jacket.", priceCents: 999, stockAvailable: 160 },
  { sku: "CB-0005", name: "USB-C to Lightning Cable, 1 m", description: "A certified fast-charging cable for phones and tablets.", priceCents: 1799, stockAvailable: 110 },
  { sku: "CB-0006", name: "Cable Management Kit", description: "Velcro ties, adhesive clips and a cable sleeve for a tidy desk.", priceCents: 1999, stockAvailable: 75 },
  { sku: "DK-0001", name: "Electric Standing Desk, 140 cm", description: "A dual-motor sit-stand desk with four height presets.", priceCents: 49999, stockAvailable: 12 },
  { sku: "DK-0002", name: "Writing Desk, Oak Veneer", description: "A 120 cm desk with a slim drawer for a small home office.", priceCents: 22999, stockAvailable: 7 },
  { sku: "DK-0003", name: "Corner Desk, 160 cm", description: "An L-shaped desk with room for two monitors and a laptop.", priceCents: 34999, stockAvailable: 1 },
  { sku: "DK-0004", name: "Standing Desk Converter", description: "A gas-spring riser that turns any table into a standing desk.", priceCents: 17999, stockAvailable: 20 },
  { sku: "CH-0001", name: "Ergonomic Office Chair", description: "A mesh chair with adjustable lumbar support, armrests and seat depth.", priceCents: 32999, stockAvailable: 15 },
  { sku: "CH-0002", name: "Task Chair", description: "A compact swivel chair with a padded seat and a tilt lock.", priceCents: 12999, stockAvailable: 30 },
  { sku: "CH-0003", name: "Kneeling Chair", description: "A wooden kneeling stool that encourages an upright posture.", priceCents: 14999, stockAvailable: 0 },
  { sku: "CH-0004", name: "Leather Executive Chair", description: "A high-back chair in full-grain leather with a synchronised tilt.", priceCents: 59999, stockAvailable: 3 },
  { sku: "LM-0001", name: "LED Desk Lamp", description: "A dimmable lamp with adjustable colour temperature and a USB charging port.", priceCents: 3999, stockAvailable: 90 },
  { sku: "LM-0002", name: "Monitor Light Bar", description: "A light bar that sits on the monitor and lights the desk without screen glare.", priceCents: 5999, stockAvailable: 55 },
  { sku: "LM-0003", name: "Architect Lamp", description: "A clamp-mounted swing-arm lamp with a steel shade.", priceCents: 4999, stockAvailable: 25 },
  { sku: "LM-0004", name: "Floor Reading Lamp", description: "A slim floor lamp with a flexible neck for the reading corner.", priceCents: 6999, stockAvailable: 14 },
  { sku: "NB-0001", name: "Dotted Notebook, A5", description: "A 160-page hardcover notebook with 100 gsm dotted paper.", priceCents: 1499, stockAvailable: 200 },
  { sku: "NB-0002", name: "Lined Notebook, A4, 3-Pack", description: "Three soft-cover ruled notebooks for meetings and notes.", priceCents: 1299, stockAvailable: 175 },
  { sku: "NB-0003", name: "Weekly Desk Planner", description: "An undated tear-off planner pad with a week on each sheet.", priceCents: 999, stockAvailable: 130 },
  { sku: "NB-0004", name: "Sticky Notes, 12 Pads", description: "Assorted colour 76 x 76 mm notes that peel off cleanly.", priceCents: 799, stockAvailable: 190 },
  { sku: "NB-0005", name: "Gel Pens, 10-Pack", description: "Quick-drying 0.5 mm gel pens in black, blue and red.", priceCents: 1099, stockAvailable: 165 },
  { sku: "HS-0001", name: "Noise-Cancelling Headset", description: "A wireless over-ear headset with a boom microphone for calls.", priceCents: 19999, stockAvailable: 40 },
  { sku: "HS-0002", name: "USB Wired Headset", description: "A lightweight on-ear headset with in-line mute and volume controls.", priceCents: 4499, stockAvailable: 100 },
  { sku: "HS-0003", name: "True Wireless Earbuds", description: "Earbuds with active noise cancellation and a wireless charging case.", priceCents: 12999, stockAvailable: 0 },
  { sku: "WC-0001", name: "1080p Webcam", description: "A Full HD webcam with autofocus and a privacy shutter.", priceCents: 6999, stockAvailable: 65 },
  { sku: "WC-0002", name: "4K Webcam", description: "A 4K webcam with HDR and auto-framing for clear video calls.", priceCents: 14999, stockAvailable: 22 },
  { sku: "WC-0003", name: "Conference Speakerphone", description: "A USB and Bluetooth speakerphone that picks up a whole meeting room.", priceCents: 11999, stockAvailable: 0 },
  { sku: "DS-0001", name: "USB-C Docking Station", description: "A dock with two HDMI outputs, Ethernet, SD card and 100 W pass-through charging.", priceCents: 17999, stockAvailable: 28 },
  { sku: "DS-0002", name: "7-in-1 USB-C Hub", description: "A pocket hub with HDMI, three USB-A ports and card readers.", priceCents: 3999, stockAvailable: 115 },
  { sku: "DS-0003", name: "Powered USB 3.0 Hub, 10 Ports", description: "A desktop hub with individual port switches and its own power supply.", priceCents: 4999, stockAvailable: 50 },
  { sku: "ST-0001", name: "Dual Monitor Arm", description: "A gas-spring arm that holds two monitors up to 32 inches.", priceCents: 12999, stockAvailable: 26 },
  { sku: "ST-0002", name: "Aluminium Laptop Stand", description: "A foldable stand that raises a laptop screen to eye level.", priceCents: 3499, stockAvailable: 95 },
  { sku: "ST-0003", name: "Adjustable Footrest", description: "A tilting footrest with a textured surface for better sitting posture.", priceCents: 2999, stockAvailable: 40 },
  { sku: "ST-0004", name: "Desk Mat, 90 x 40 cm", description: "A felt and cork desk mat that covers keyboard and mouse space.", priceCents: 2499, stockAvailable: 80 },
  { sku: "PW-0001", name: "Surge Protector, 8 Outlets", description: "A power strip with surge protection and two USB-C charging ports.", priceCents: 3499, stockAvailable: 70 },
  { sku: "PW-0002", name: "65 W GaN Charger", description: "A compact three-port charger that powers a laptop and a phone at once.", priceCents: 4999, stockAvailable: 90 },
];

/** Loads the demo catalogue into an empty products table; does nothing when any product exists. */
export async function seedInventory(db: Pick<InventoryDb, "product">): Promise<number> {
  if ((await db.product.count()) > 0) return 0;
  // skipDuplicates: two processes seeding one database at the same moment both succeed.
  const { count } = await db.product.createMany({ data: SEEDED_PRODUCTS.map((product) => ({ ...product, currency: "USD" })), skipDuplicates: true });
  return count;
}
