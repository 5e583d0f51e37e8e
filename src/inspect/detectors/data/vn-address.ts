/**
 * Words of Vietnamese addresses: the administrative and street keywords that open (or, in English,
 * close) each part of an address, and the city names an address may end with.
 */

/** Address levels, as bits: an address is reported when it has enough distinct ones. */
export const HOUSE = 1;
export const STREET = 2;
export const HAMLET = 4;
export const WARD = 8;
export const DISTRICT = 16;
export const CITY = 32;

/** How the name after (or before) a keyword is written. */
export interface AddressKeyword {
  level: number;
  /** Abbreviation ("P.", "Q.", "TP"): must be capitalized, and is followed by "." or a digit. */
  abbreviation?: boolean;
  /** The name comes before the keyword ("Ben Nghe Ward", "Le Loi Street"). */
  postfix?: boolean;
  /** The name may come before the keyword as well as after ("District 1", "Tan Binh District"). */
  either?: boolean;
  /** Only a number may follow ("số 12", "tổ 5"). */
  numberOnly?: boolean;
}

/** Keywords, lower case, with and without diacritics. */
export const ADDRESS_KEYWORDS: ReadonlyMap<string, AddressKeyword> = new Map<string, AddressKeyword>([
  ['số nhà', { level: HOUSE, numberOnly: true }],
  ['so nha', { level: HOUSE, numberOnly: true }],
  ['nhà số', { level: HOUSE, numberOnly: true }],
  ['nha so', { level: HOUSE, numberOnly: true }],
  ['số', { level: HOUSE, numberOnly: true }],
  ['no', { level: HOUSE, numberOnly: true, abbreviation: true }],
  ['đường', { level: STREET }],
  ['duong', { level: STREET }],
  ['phố', { level: STREET }],
  ['pho', { level: STREET }],
  ['ngõ', { level: STREET }],
  ['ngo', { level: STREET }],
  ['ngách', { level: STREET }],
  ['ngach', { level: STREET }],
  ['hẻm', { level: STREET }],
  ['hem', { level: STREET }],
  ['kiệt', { level: STREET }],
  ['kiet', { level: STREET }],
  ['đại lộ', { level: STREET }],
  ['dai lo', { level: STREET }],
  ['quốc lộ', { level: STREET }],
  ['quoc lo', { level: STREET }],
  ['tỉnh lộ', { level: STREET }],
  ['tinh lo', { level: STREET }],
  ['đ', { level: STREET, abbreviation: true }],
  ['ql', { level: STREET, abbreviation: true }],
  ['street', { level: STREET, postfix: true }],
  ['st', { level: STREET, postfix: true, abbreviation: true }],
  ['road', { level: STREET, postfix: true }],
  ['rd', { level: STREET, postfix: true, abbreviation: true }],
  ['avenue', { level: STREET, postfix: true }],
  ['ave', { level: STREET, postfix: true, abbreviation: true }],
  ['boulevard', { level: STREET, postfix: true }],
  ['lane', { level: STREET, postfix: true }],
  ['alley', { level: STREET, postfix: true }],
  ['thôn', { level: HAMLET }],
  ['thon', { level: HAMLET }],
  ['ấp', { level: HAMLET }],
  ['ap', { level: HAMLET }],
  ['xóm', { level: HAMLET }],
  ['xom', { level: HAMLET }],
  ['khu phố', { level: HAMLET }],
  ['khu pho', { level: HAMLET }],
  ['kp', { level: HAMLET, abbreviation: true }],
  ['tổ dân phố', { level: HAMLET }],
  ['to dan pho', { level: HAMLET }],
  ['tổ', { level: HAMLET, numberOnly: true }],
  ['khóm', { level: HAMLET }],
  ['khom', { level: HAMLET }],
  ['khu đô thị', { level: HAMLET }],
  ['khu do thi', { level: HAMLET }],
  ['kđt', { level: HAMLET, abbreviation: true }],
  ['chung cư', { level: HAMLET }],
  ['chung cu', { level: HAMLET }],
  ['tòa nhà', { level: HAMLET }],
  ['toa nha', { level: HAMLET }],
  ['hamlet', { level: HAMLET, postfix: true }],
  ['village', { level: HAMLET, postfix: true }],
  ['phường', { level: WARD }],
  ['phuong', { level: WARD }],
  ['p', { level: WARD, abbreviation: true }],
  ['xã', { level: WARD }],
  ['xa', { level: WARD }],
  ['thị trấn', { level: WARD }],
  ['thi tran', { level: WARD }],
  ['tt', { level: WARD, abbreviation: true }],
  ['ward', { level: WARD, either: true }],
  ['commune', { level: WARD, postfix: true }],
  ['quận', { level: DISTRICT }],
  ['quan', { level: DISTRICT }],
  ['q', { level: DISTRICT, abbreviation: true }],
  ['huyện', { level: DISTRICT }],
  ['huyen', { level: DISTRICT }],
  ['h', { level: DISTRICT, abbreviation: true }],
  ['thị xã', { level: DISTRICT }],
  ['thi xa', { level: DISTRICT }],
  ['tx', { level: DISTRICT, abbreviation: true }],
  ['district', { level: DISTRICT, either: true }],
  ['dist', { level: DISTRICT, either: true, abbreviation: true }],
  ['thành phố', { level: CITY }],
  ['thanh pho', { level: CITY }],
  ['tp', { level: CITY, abbreviation: true }],
  ['tỉnh', { level: CITY }],
  ['tinh', { level: CITY }],
  ['city', { level: CITY, postfix: true }],
  ['province', { level: CITY, postfix: true }],
]);

/**
 * Cities and provinces an address may end with, folded (no diacritics, lower case, single spaces),
 * besides the 63 province names of `CCCD_PROVINCE_CODES`.
 */
export const VN_CITY_ALIASES: readonly string[] = [
  'hcm',
  'tp hcm',
  'tphcm',
  'hcmc',
  'sai gon',
  'saigon',
  'hn',
  'hanoi',
  'danang',
  'hue',
  'vung tau',
  'nha trang',
  'da lat',
  'dalat',
  'buon ma thuot',
  'quy nhon',
  'bien hoa',
  'thu duc',
  'vinh',
  'ha long',
  'phu quoc',
  'hoi an',
  'viet nam',
  'vietnam',
];
