/**
 * Vietnamese numbering plans the detectors validate against: province codes of the 12-digit
 * citizen identity number (CCCD), mobile prefixes and landline area codes.
 */

/**
 * Province codes that open a CCCD / personal identification number: the place of birth registration,
 * per Circular 07/2016/TT-BCA, Annex 1 (63 provinces before the 2025 merger; numbers keep them).
 */
export const CCCD_PROVINCE_CODES: ReadonlyMap<string, string> = new Map([
  ['001', 'Hà Nội'],
  ['002', 'Hà Giang'],
  ['004', 'Cao Bằng'],
  ['006', 'Bắc Kạn'],
  ['008', 'Tuyên Quang'],
  ['010', 'Lào Cai'],
  ['011', 'Điện Biên'],
  ['012', 'Lai Châu'],
  ['014', 'Sơn La'],
  ['015', 'Yên Bái'],
  ['017', 'Hòa Bình'],
  ['019', 'Thái Nguyên'],
  ['020', 'Lạng Sơn'],
  ['022', 'Quảng Ninh'],
  ['024', 'Bắc Giang'],
  ['025', 'Phú Thọ'],
  ['026', 'Vĩnh Phúc'],
  ['027', 'Bắc Ninh'],
  ['030', 'Hải Dương'],
  ['031', 'Hải Phòng'],
  ['033', 'Hưng Yên'],
  ['034', 'Thái Bình'],
  ['035', 'Hà Nam'],
  ['036', 'Nam Định'],
  ['037', 'Ninh Bình'],
  ['038', 'Thanh Hóa'],
  ['040', 'Nghệ An'],
  ['042', 'Hà Tĩnh'],
  ['044', 'Quảng Bình'],
  ['045', 'Quảng Trị'],
  ['046', 'Thừa Thiên Huế'],
  ['048', 'Đà Nẵng'],
  ['049', 'Quảng Nam'],
  ['051', 'Quảng Ngãi'],
  ['052', 'Bình Định'],
  ['054', 'Phú Yên'],
  ['056', 'Khánh Hòa'],
  ['058', 'Ninh Thuận'],
  ['060', 'Bình Thuận'],
  ['062', 'Kon Tum'],
  ['064', 'Gia Lai'],
  ['066', 'Đắk Lắk'],
  ['067', 'Đắk Nông'],
  ['068', 'Lâm Đồng'],
  ['070', 'Bình Phước'],
  ['072', 'Tây Ninh'],
  ['074', 'Bình Dương'],
  ['075', 'Đồng Nai'],
  ['077', 'Bà Rịa - Vũng Tàu'],
  ['079', 'Hồ Chí Minh'],
  ['080', 'Long An'],
  ['082', 'Tiền Giang'],
  ['083', 'Bến Tre'],
  ['084', 'Trà Vinh'],
  ['086', 'Vĩnh Long'],
  ['087', 'Đồng Tháp'],
  ['089', 'An Giang'],
  ['091', 'Kiên Giang'],
  ['092', 'Cần Thơ'],
  ['093', 'Hậu Giang'],
  ['094', 'Sóc Trăng'],
  ['095', 'Bạc Liêu'],
  ['096', 'Cà Mau'],
]);

/**
 * The two digits after the trunk 0 of a Vietnamese mobile number (10 digits national), as assigned
 * since the 2018 renumbering: Viettel 032-039, 086, 096-098; Vinaphone 081-085, 088, 091, 094;
 * MobiFone 070, 076-079, 089, 090, 093; Vietnamobile 052, 056, 058, 092; Gmobile 059, 099;
 * Reddi 055; Itelecom 087; the rest of 09x kept for older assignments.
 */
export const VN_MOBILE_PREFIXES: ReadonlySet<string> = new Set([
  '32',
  '33',
  '34',
  '35',
  '36',
  '37',
  '38',
  '39',
  '52',
  '55',
  '56',
  '58',
  '59',
  '70',
  '76',
  '77',
  '78',
  '79',
  '81',
  '82',
  '83',
  '84',
  '85',
  '86',
  '87',
  '88',
  '89',
  '90',
  '91',
  '92',
  '93',
  '94',
  '95',
  '96',
  '97',
  '98',
  '99',
]);

/** Landline area codes after the trunk 0 with a two-digit code (Hà Nội, TP.HCM): 8-digit subscriber numbers. */
export const VN_LANDLINE_AREA_2: ReadonlySet<string> = new Set(['24', '28']);

/** Three-digit landline area codes after the trunk 0 (since 2017): 7-digit subscriber numbers. */
export const VN_LANDLINE_AREA_3: ReadonlySet<string> = new Set(
  (
    '203 204 205 206 207 208 209 210 211 212 213 214 215 216 218 219 220 221 222 225 226 227 228 229 ' +
    '232 233 234 235 236 237 238 239 251 252 254 255 256 257 258 259 260 261 262 263 269 270 271 272 ' +
    '273 274 275 276 277 290 291 292 293 294 296 297 299'
  ).split(' '),
);
